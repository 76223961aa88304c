<?php

declare(strict_types=1);

/** The session store cannot be used (DB down, save_path not writable...): the page answers 503. */
final class SessionUnavailable extends RuntimeException
{
}

/** What every page shows about the visitor's session. */
final class SessionView
{
    public function __construct(
        public readonly string $mode,
        public readonly ?string $id,
        public readonly ?string $color,
        public readonly int $counter,
        public readonly ?string $error = null,
    ) {
    }

    public static function current(Settings $settings): self
    {
        $color = $_SESSION['color'] ?? null;
        $counter = $_SESSION['counter'] ?? 0;
        return new self(
            mode: $settings->session->mode,
            id: session_id() === '' || session_id() === false ? null : session_id(),
            color: is_string($color) ? $color : null,
            counter: is_int($counter) ? $counter : 0,
        );
    }

    public static function unavailable(Settings $settings, SessionUnavailable $e): self
    {
        return new self($settings->session->mode, null, null, 0, $e->getMessage());
    }

    public function handler(): string
    {
        return session_handler_label($this->mode);
    }

    /** @return array<string, string|int|null> the body of the /api/session answers */
    public function toApi(Settings $settings): array
    {
        return [
            'node' => $settings->node->name,
            'address' => $settings->node->address,
            'port' => $settings->node->port,
            'session_id' => $this->id,
            'handler' => $this->handler(),
            'mode' => $this->mode,
            'color' => $this->color,
            'counter' => $this->counter,
        ];
    }
}

function session_handler_label(string $mode): string
{
    return match ($mode) {
        'db' => 'db (MariaDB via lb-db)',
        'memcached' => 'memcached (php-memcached, each session on two nodes)',
        'redis' => 'redis (phpredis, the primary via lb-db)',
        default => 'files (native)',
    };
}

/**
 * php-memcached's session settings, per request (all PHP_INI_ALL), so a
 * switch to this mode needs no restart: each session on one more node (the
 * binary protocol carries replicas), a dead node dropped at its first
 * failure, a silent one (a killed container's address) given up after
 * 200 ms. docs/research/session-stores.md has the measurements.
 *
 * @param list<string> $servers
 */
function configure_memcached_sessions(array $servers): void
{
    if (!extension_loaded('memcached')) {
        throw new RuntimeException('the PHP extension memcached is not loaded (apt-get install php-memcached)');
    }
    foreach ([
        'memcached.sess_binary_protocol' => '1',
        'memcached.sess_number_of_replicas' => (string) max(0, min(1, count($servers) - 1)),
        'memcached.sess_consistent_hash' => '1',
        'memcached.sess_remove_failed_servers' => '1',
        'memcached.sess_server_failure_limit' => '1',
        'memcached.sess_connect_timeout' => '200',
        'memcached.sess_locking' => '1',
        // Parallel requests of one session queue for its lock: short waits, enough of them
        // (up to ~10 s) that none gives up (Debian's 5 × 150 ms lets a burst of 20 fail).
        'memcached.sess_lock_wait_min' => '10',
        'memcached.sess_lock_wait_max' => '100',
        'memcached.sess_lock_retries' => '100',
    ] as $key => $value) {
        ini_set($key, $value);
    }
}

/**
 * phpredis's session settings, per request (PHP_INI_ALL) like memcached's:
 * locking on, parallel requests of one session queue for up to ~6 s, and a
 * lock left by a request that died (or by a primary that failed over with
 * it) lapses after 10 s instead of max_execution_time.
 */
function configure_redis_sessions(): void
{
    if (!extension_loaded('redis')) {
        throw new RuntimeException('the PHP extension redis is not loaded (apt-get install php-redis)');
    }
    foreach ([
        'redis.session.locking_enabled' => '1',
        'redis.session.lock_expire' => '10',
        'redis.session.lock_wait_time' => '20000',
        'redis.session.lock_retries' => '300',
    ] as $key => $value) {
        ini_set($key, $value);
    }
}

/**
 * While the Redis primary fails over (about two seconds: the Sentinels'
 * vote, then lb-db's check), lb-db has no node to send a session to. A
 * request waits up to this long for the new primary rather than fail.
 */
const REDIS_FAILOVER_WAIT_S = 4.0;

/**
 * session_start against Redis, tried again while no primary answers. Its
 * warnings (a refused or dropped connection) are what a failover looks
 * like; the last one is the error when the wait runs out.
 *
 * @param array<string, mixed> $options
 */
function start_redis_session(array $options, Request $request): bool
{
    $until = microtime(true) + REDIS_FAILOVER_WAIT_S;
    // A failed start leaves a new id behind (strict mode could not find the
    // visitor's session where nothing answered): each try starts from the cookie.
    $sent = $request->cookies[$options['name']] ?? null;
    $sent = is_string($sent) && preg_match('/^[A-Za-z0-9,-]{1,128}$/D', $sent) === 1 ? $sent : '';
    while (true) {
        // A start that failed halfway (the primary went away between the read and the lock) may leave the session open.
        if (session_status() === PHP_SESSION_ACTIVE) {
            session_abort();
        }
        session_id($sent);
        $warning = null;
        set_error_handler(function (int $severity, string $message) use (&$warning): bool {
            $warning = $message;
            return true;
        }, E_WARNING);
        try {
            $started = session_start($options);
        } catch (RedisException $e) {
            $started = false;
            $warning = $e->getMessage();
        } finally {
            restore_error_handler();
        }
        if ($started) {
            return $options['read_and_close'] && session_id() !== $sent ? store_new_redis_session($options) : true;
        }
        if (microtime(true) >= $until) {
            throw new RuntimeException($warning ?? 'session_start() failed');
        }
        usleep(100_000);
    }
}

/**
 * A visitor without a session got a new id from a read-only start, which
 * stores nothing: with strict mode, phpredis would take that id for an
 * unknown one on the next request and make another (parallel first
 * requests would each get their own session). Stored empty now, it is one
 * the store knows.
 *
 * @param array<string, mixed> $options
 */
function store_new_redis_session(array $options): bool
{
    session_id((string) session_id());
    return session_start(['read_and_close' => false, 'use_strict_mode' => false] + $options) && session_write_close();
}

/**
 * Starts the session with the handler the settings ask for. `none` and
 * `sticky` differ only at the balancer: both keep sessions in node-local files.
 *
 * With $readOnly the session is read and its lock released at once
 * (read_and_close), so viewing pages never queue behind a slow writer.
 */
function start_session(Settings $settings, Request $request, bool $readOnly): void
{
    $config = $settings->session;
    $options = [
        'name' => $config->name,
        // Refuse ids the store does not know: no session fixation with a chosen id.
        'use_strict_mode' => true,
        'use_only_cookies' => true,
        'use_trans_sid' => false,
        'cookie_lifetime' => 0,
        'cookie_path' => '/',
        'cookie_httponly' => true,
        'cookie_samesite' => 'Lax',
        'cookie_secure' => is_https($settings, $request),
        'gc_maxlifetime' => $config->lifetime,
        // Debian ships gc_probability=0 because a cron job cleans /var/lib/php/sessions;
        // nothing cleans our save_path or table. gc_divisor stays php.ini's.
        'gc_probability' => 1,
        // The router sets the caching headers for every response itself.
        'cache_limiter' => '',
        'read_and_close' => $readOnly,
    ];
    // The session's data as memcached holds it, when the visitor has one there.
    $stored = null;
    try {
        if ($config->usesDb()) {
            session_set_save_handler(new DbSessionHandler(fn (): PDO => db_connect($settings->db)), true);
        } elseif ($config->usesMemcached()) {
            configure_memcached_sessions($config->memcached);
            // php-memcached's own strict check asks only the key's first node: with that node
            // dead it takes a live session for an unknown one and makes a new one. This check
            // asks every node (a session lives on two) and keeps strict mode's promise itself.
            $stored = recover_memcached_session($config, $request);
            $options = ['use_strict_mode' => false] + $options;
            $options += ['save_handler' => 'memcached', 'save_path' => implode(',', $config->memcached)];
        } elseif ($config->usesRedis()) {
            if ($config->redis === null) {
                throw new RuntimeException('the settings name no Redis entry');
            }
            configure_redis_sessions();
            $options += ['save_handler' => 'redis', 'save_path' => $config->redis->savePath()];
        } else {
            ensure_directory($config->savePath, 0700);
            $options += ['save_handler' => 'files', 'save_path' => $config->savePath];
        }
        $started = match (true) {
            $config->usesMemcached() => start_memcached_session($config, $request, $options, $stored),
            $config->usesRedis() => start_redis_session($options, $request),
            default => session_start($options),
        };
    } catch (Throwable $e) {
        throw new SessionUnavailable(describe_session_store($config) . ' is unavailable: ' . $e->getMessage(), 0, $e);
    }
    if (!$started) {
        throw new SessionUnavailable(describe_session_store($config) . ' is unavailable: session_start() failed');
    }
}

/**
 * Strict mode over replicas, and a copy put back where one is missing: the
 * session id the visitor sends is kept only if some memcached node holds
 * that session, otherwise PHP makes a new id (no session fixation with a
 * chosen id). php-memcached reads a session from its first node only, and
 * a node started again is empty: a node that answers "not here" while
 * another holds the session gets the copy back before PHP reads it.
 */
function recover_memcached_session(SessionSettings $config, Request $request): ?string
{
    $id = $request->cookies[$config->name] ?? null;
    if (!is_string($id) || preg_match('/^[A-Za-z0-9,-]{1,128}$/D', $id) !== 1) {
        return null;
    }
    $key = ini_get('memcached.sess_prefix') . $id;
    $found = null;
    $missing = [];
    foreach ($config->memcached as $endpoint) {
        $node = memcached_node($endpoint);
        $value = $node->get($key);
        if ($value !== false) {
            $found ??= $value;
        } elseif ($node->getResultCode() === Memcached::RES_NOTFOUND) {
            $missing[] = $node;
        }
    }
    if ($found === null) {
        session_id(session_create_id());
        return null;
    }
    foreach ($missing as $node) {
        $node->set($key, $found, $config->lifetime);
    }
    session_id($id);
    return is_string($found) ? $found : null;
}

/**
 * session_start on memcached, once more if a node came back (empty) between
 * the check above and PHP's read: php-memcached then reads nothing from it
 * although STORED, the session's data, is on the other node. The copy is
 * put back and the session read again (seen: 1 session in ~1800 reads lost
 * when a killed node started again under load).
 *
 * @param array<string, mixed> $options
 */
function start_memcached_session(SessionSettings $config, Request $request, array $options, ?string $stored): bool
{
    $started = past_dead_memcached(fn (): bool => session_start($options));
    if (!$started || $stored === null || $stored === '' || $_SESSION !== []) {
        return $started;
    }
    if (session_status() === PHP_SESSION_ACTIVE) {
        session_abort();
    }
    recover_memcached_session($config, $request);
    return past_dead_memcached(fn (): bool => session_start($options));
}

/** A client of one memcached node alone, as the session handler talks to it (binary protocol, 200 ms to connect). */
function memcached_node(string $endpoint): Memcached
{
    $colon = strrpos($endpoint, ':');
    $host = trim(substr($endpoint, 0, $colon), '[]');
    $node = new Memcached();
    $node->setOption(Memcached::OPT_BINARY_PROTOCOL, true);
    $node->setOption(Memcached::OPT_CONNECT_TIMEOUT, 200);
    // The session handler stores strings as they are: no serializer or compression of the client's own.
    $node->setOption(Memcached::OPT_COMPRESSION, false);
    $node->setOption(Memcached::OPT_SERIALIZER, Memcached::SERIALIZER_PHP);
    $node->addServer($host, (int) substr($endpoint, $colon + 1));
    return $node;
}

/**
 * Runs a session call whose store may have lost a node: php-memcached warns
 * when it meets a dead one (SERVER IS MARKED DEAD, connection refused) even
 * though the replica took the read or write, so those warnings are logged,
 * not thrown; the call's own result still decides. Any other warning is an
 * error as everywhere else.
 *
 * @param callable(): bool $call
 */
function past_dead_memcached(callable $call): bool
{
    set_error_handler(function (int $severity, string $message, string $file, int $line): bool {
        if ($severity === E_WARNING && preg_match('/MARKED DEAD|SERVER HAS FAILED|CONNECTION FAILURE|HOSTNAME LOOKUP FAILURE|Connection refused|TIMEOUT/i', $message) === 1) {
            error_log('hactl app: a memcached node is down, its replica served: ' . $message);
            return true;
        }
        throw new ErrorException($message, 0, $severity, $file, $line);
    });
    try {
        return $call();
    } finally {
        restore_error_handler();
    }
}

/** Saves and unlocks the session now, so that a failed write is reported on this page. */
function save_session(SessionSettings $config): void
{
    try {
        $written = $config->usesMemcached() ? past_dead_memcached('session_write_close') : session_write_close();
    } catch (Throwable $e) {
        throw new SessionUnavailable(describe_session_store($config) . ' could not save the session: ' . $e->getMessage(), 0, $e);
    }
    if (!$written) {
        throw new SessionUnavailable(describe_session_store($config) . ' could not save the session');
    }
}

function describe_session_store(SessionSettings $config): string
{
    return match (true) {
        $config->usesDb() => 'the session database (lb-db)',
        $config->usesMemcached() => 'the memcached nodes (' . implode(', ', $config->memcached) . ')',
        $config->usesRedis() => 'the Redis primary (lb-db)',
        default => "the session directory {$config->savePath}",
    };
}

/** Starts (or creates) the visitor's session and returns what is in it. */
function read_session(Settings $settings, Request $request): SessionView
{
    start_session($settings, $request, true);
    return SessionView::current($settings);
}

/**
 * For pages that are not about the session: shows it when the visitor has one,
 * but never creates one, so scanners hitting 404s do not fill the store, and
 * reports a broken store instead of failing the page.
 */
function peek_session(Settings $settings, Request $request): SessionView
{
    if (!$request->hasCookie($settings->session->name)) {
        return new SessionView($settings->session->mode, null, null, 0);
    }
    try {
        return read_session($settings, $request);
    } catch (SessionUnavailable $e) {
        return SessionView::unavailable($settings, $e);
    }
}

/**
 * Read-modify-write of one session key under the session lock.
 *
 * @param Closure(mixed): (string|int) $next computes the new value from the old one
 * @return array{0: mixed, 1: string|int} the old and the new value
 */
function update_session(Settings $settings, Request $request, string $key, Closure $next): array
{
    for ($attempt = 1; ; $attempt++) {
        start_session($settings, $request, false);
        $old = $_SESSION[$key] ?? null;
        $new = $next($old);
        $_SESSION[$key] = $new;
        try {
            save_session($settings->session);
            return [$old, $new];
        } catch (SessionUnavailable $e) {
            // Redis: the primary died between this read and its write (seen once in a
            // compose run). Once more from the read: the start waits for the new primary.
            if (!$settings->session->usesRedis() || $attempt > 1) {
                throw $e;
            }
        }
    }
}
