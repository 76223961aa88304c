<?php

declare(strict_types=1);

/**
 * The node's settings, rendered by hactl into one JSON file.
 *
 * The file is read on every request (it is small) so that `hactl session-mode`
 * can switch the session handler by rewriting it, with no restart of PHP.
 */

final class SettingsError extends RuntimeException
{
}

final class NodeSettings
{
    public function __construct(
        public readonly string $name,
        public readonly string $address,
        public readonly int $port,
    ) {
    }
}

final class SessionSettings
{
    public const MODES = ['none', 'sticky', 'db', 'memcached', 'redis'];

    /** @param list<string> $memcached host:port of each memcached node */
    public function __construct(
        public readonly string $mode,
        public readonly string $name,
        public readonly string $savePath,
        public readonly int $lifetime,
        public readonly array $memcached = [],
        public readonly ?RedisSettings $redis = null,
    ) {
    }

    public function usesDb(): bool
    {
        return $this->mode === 'db';
    }

    public function usesMemcached(): bool
    {
        return $this->mode === 'memcached';
    }

    public function usesRedis(): bool
    {
        return $this->mode === 'redis';
    }
}

/** Where Redis sessions go: lb-db's Redis entry, which leads to the primary of the moment. */
final class RedisSettings
{
    public function __construct(
        public readonly string $host,
        public readonly int $port,
        public readonly string $password,
    ) {
    }

    /** phpredis's session save_path: the password in it, one second to connect or read (a failover takes about two). */
    public function savePath(): string
    {
        $host = str_contains($this->host, ':') ? "[{$this->host}]" : $this->host;
        return "tcp://{$host}:{$this->port}?auth=" . rawurlencode($this->password) . '&timeout=1&read_timeout=1';
    }
}

final class DbSettings
{
    public function __construct(
        public readonly string $host,
        public readonly int $port,
        public readonly string $name,
        public readonly string $user,
        public readonly string $password,
    ) {
    }

    public function endpoint(): string
    {
        return str_contains($this->host, ':') ? "[{$this->host}]:{$this->port}" : "{$this->host}:{$this->port}";
    }
}

final class Settings
{
    public const DEFAULT_PATH = '/etc/hactl/app.json';

    /** @param list<string> $trustedProxies addresses, CIDR ranges or host names */
    public function __construct(
        public readonly string $cluster,
        public readonly NodeSettings $node,
        public readonly SessionSettings $session,
        public readonly DbSettings $db,
        public readonly string $dataDir,
        public readonly array $trustedProxies,
    ) {
    }

    public static function path(): string
    {
        $path = getenv('HACTL_APP_SETTINGS');
        return $path === false || $path === '' ? self::DEFAULT_PATH : $path;
    }

    public static function load(string $path): self
    {
        if (!is_file($path) || !is_readable($path)) {
            throw new SettingsError("settings file {$path} is missing or unreadable (set HACTL_APP_SETTINGS)");
        }
        $json = file_get_contents($path);
        try {
            $data = json_decode((string) $json, true, 16, JSON_THROW_ON_ERROR);
        } catch (JsonException $e) {
            throw new SettingsError("settings file {$path} is not valid JSON: {$e->getMessage()}");
        }

        $f = new SettingsFields($data);
        $settings = new self(
            cluster: $f->text('cluster'),
            node: new NodeSettings($f->text('node.name'), $f->host('node.address'), $f->port('node.port')),
            session: new SessionSettings(
                mode: $f->oneOf('session.mode', SessionSettings::MODES),
                // PHP accepts only alphanumeric session names; anything else would be silently replaced.
                name: $f->matching('session.name', '/^[A-Za-z][A-Za-z0-9_]{0,63}$/D', 'a letter then letters, digits or _'),
                savePath: $f->absolutePath('session.save_path'),
                lifetime: $f->int('session.lifetime', 60, 31_536_000),
                memcached: $f->endpointList('session.memcached'),
                redis: $f->present('session.redis')
                    ? new RedisSettings($f->host('session.redis.host'), $f->port('session.redis.port'), $f->anyString('session.redis.password'))
                    : null,
            ),
            db: new DbSettings(
                host: $f->host('db.host'),
                port: $f->port('db.port'),
                // Goes into the PDO DSN, where ';' would start another option.
                name: $f->matching('db.name', '/^[A-Za-z0-9_$]{1,64}$/D', 'a database name (letters, digits, _ or $)'),
                user: $f->text('db.user'),
                password: $f->anyString('db.password'),
            ),
            dataDir: $f->absolutePath('data_dir'),
            trustedProxies: $f->addressList('trusted_proxies'),
        );
        $f->throwIfInvalid($path);
        return $settings;
    }
}

/**
 * Reads typed fields by dotted path and collects every problem, so that one
 * error message lists all of them instead of the first only.
 */
final class SettingsFields
{
    /** @var list<string> */
    private array $issues = [];

    public function __construct(private readonly mixed $data)
    {
        if (!is_array($data) || array_is_list($data)) {
            $this->issues[] = 'the top level must be a JSON object';
        }
    }

    public function throwIfInvalid(string $file): void
    {
        if ($this->issues !== []) {
            throw new SettingsError("settings file {$file} is invalid: " . implode('; ', $this->issues));
        }
    }

    /** A printable string: it ends up in pages and in the X-Served-By header. */
    public function text(string $path): string
    {
        return $this->matching($path, '/^[^\x00-\x1f\x7f]{1,128}$/uD', 'a non-empty printable string of at most 128 characters');
    }

    public function host(string $path): string
    {
        return $this->matching($path, '/^[A-Za-z0-9._:-]{1,253}$/D', 'a host name or IP address');
    }

    public function absolutePath(string $path): string
    {
        return $this->matching($path, '/^\/[^\x00]*$/D', 'an absolute path');
    }

    public function anyString(string $path): string
    {
        $value = $this->get($path);
        if (is_string($value)) {
            return $value;
        }
        return $this->issue($path, 'must be a string', '');
    }

    public function matching(string $path, string $pattern, string $expected): string
    {
        $value = $this->get($path);
        if (is_string($value) && preg_match($pattern, $value) === 1) {
            return $value;
        }
        return $this->issue($path, "must be {$expected}", '');
    }

    /** @param list<string> $allowed */
    public function oneOf(string $path, array $allowed): string
    {
        $value = $this->get($path);
        if (is_string($value) && in_array($value, $allowed, true)) {
            return $value;
        }
        return $this->issue($path, 'must be one of ' . implode(', ', $allowed), $allowed[0]);
    }

    public function int(string $path, int $min, int $max): int
    {
        $value = $this->get($path);
        if (is_int($value) && $value >= $min && $value <= $max) {
            return $value;
        }
        return $this->issue($path, "must be an integer from {$min} to {$max}", $min);
    }

    public function port(string $path): int
    {
        return $this->int($path, 1, 65535);
    }

    /** @return list<string> */
    public function addressList(string $path): array
    {
        $value = $this->get($path);
        if (!is_array($value) || !array_is_list($value)) {
            return $this->issue($path, 'must be a list of IP addresses, CIDR ranges or host names', []);
        }
        foreach ($value as $i => $entry) {
            if (!is_string($entry) || !is_trusted_proxy_entry($entry)) {
                $this->issues[] = "{$path}[{$i}]: must be an IP address, CIDR range or host name";
            }
        }
        return array_values(array_filter($value, 'is_string'));
    }

    /**
     * host:port entries ([v6]:port too); missing: none.
     *
     * @return list<string>
     */
    public function endpointList(string $path): array
    {
        $value = $this->get($path) ?? [];
        if (!is_array($value) || !array_is_list($value)) {
            return $this->issue($path, 'must be a list of host:port', []);
        }
        foreach ($value as $i => $entry) {
            if (!is_string($entry) || preg_match('/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]{1,253}):\d{1,5}$/D', $entry) !== 1) {
                $this->issues[] = "{$path}[{$i}]: must be host:port";
            }
        }
        return array_values(array_filter($value, 'is_string'));
    }

    /** The field is there and not null. */
    public function present(string $path): bool
    {
        return $this->get($path) !== null;
    }

    private function get(string $path): mixed
    {
        $node = $this->data;
        foreach (explode('.', $path) as $key) {
            if (!is_array($node) || !array_key_exists($key, $node)) {
                return null;
            }
            $node = $node[$key];
        }
        return $node;
    }

    /**
     * @template T
     * @param T $placeholder returned so that reading can go on to find further problems
     * @return T
     */
    private function issue(string $path, string $problem, mixed $placeholder): mixed
    {
        $this->issues[] = $this->get($path) === null ? "{$path}: is missing" : "{$path}: {$problem}";
        return $placeholder;
    }
}
