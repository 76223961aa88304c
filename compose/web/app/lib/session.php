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
    return $mode === 'db' ? 'db (MariaDB via lb-db)' : 'files (native)';
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
    try {
        if ($config->usesDb()) {
            session_set_save_handler(new DbSessionHandler(fn (): PDO => db_connect($settings->db)), true);
        } else {
            ensure_directory($config->savePath, 0700);
            $options += ['save_handler' => 'files', 'save_path' => $config->savePath];
        }
        $started = session_start($options);
    } catch (Throwable $e) {
        throw new SessionUnavailable(describe_session_store($config) . ' is unavailable: ' . $e->getMessage(), 0, $e);
    }
    if (!$started) {
        throw new SessionUnavailable(describe_session_store($config) . ' is unavailable: session_start() failed');
    }
}

/** Saves and unlocks the session now, so that a failed write is reported on this page. */
function save_session(SessionSettings $config): void
{
    try {
        $written = session_write_close();
    } catch (Throwable $e) {
        throw new SessionUnavailable(describe_session_store($config) . ' could not save the session: ' . $e->getMessage(), 0, $e);
    }
    if (!$written) {
        throw new SessionUnavailable(describe_session_store($config) . ' could not save the session');
    }
}

function describe_session_store(SessionSettings $config): string
{
    return $config->usesDb() ? 'the session database (lb-db)' : "the session directory {$config->savePath}";
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
    start_session($settings, $request, false);
    $old = $_SESSION[$key] ?? null;
    $new = $next($old);
    $_SESSION[$key] = $new;
    save_session($settings->session);
    return [$old, $new];
}
