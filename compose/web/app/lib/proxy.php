<?php

declare(strict_types=1);

/**
 * Who is the client? Behind lb-web, REMOTE_ADDR is the balancer and the client
 * is in X-Forwarded-For. That header is only believed when it comes from a
 * trusted proxy: anyone can send it.
 */

/** A trusted_proxies entry: an IP address, a CIDR range, or a host name (compose: "lb-web"). */
function is_trusted_proxy_entry(string $entry): bool
{
    return parse_cidr($entry) !== null || is_host_name($entry);
}

function is_host_name(string $entry): bool
{
    return preg_match('/^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/D', $entry) === 1;
}

/** @return array{0: string, 1: int}|null packed address and prefix length */
function parse_cidr(string $entry): ?array
{
    [$address, $prefix] = str_contains($entry, '/') ? explode('/', $entry, 2) : [$entry, null];
    $packed = pack_ip($address);
    if ($packed === null) {
        return null;
    }
    $bits = strlen($packed) * 8;
    if ($prefix === null) {
        return [$packed, $bits];
    }
    if (preg_match('/^\d{1,3}$/D', $prefix) !== 1 || (int) $prefix > $bits) {
        return null;
    }
    return [$packed, (int) $prefix];
}

function pack_ip(string $address): ?string
{
    return filter_var($address, FILTER_VALIDATE_IP) === false ? null : (inet_pton($address) ?: null);
}

/** @param list<string> $trusted addresses, CIDR ranges or host names */
function is_trusted_proxy(string $address, array $trusted): bool
{
    $packed = pack_ip($address);
    if ($packed === null) {
        return false;
    }
    foreach ($trusted as $entry) {
        $range = parse_cidr($entry);
        if ($range !== null ? in_range($packed, ...$range) : in_array($address, resolve_host($entry), true)) {
            return true;
        }
    }
    return false;
}

function in_range(string $packed, string $network, int $prefix): bool
{
    if (strlen($packed) !== strlen($network)) {
        return false;
    }
    $bytes = intdiv($prefix, 8);
    $rest = $prefix % 8;
    if (substr($packed, 0, $bytes) !== substr($network, 0, $bytes)) {
        return false;
    }
    $mask = (0xff << (8 - $rest)) & 0xff;
    return $rest === 0 || ((ord($packed[$bytes]) ^ ord($network[$bytes])) & $mask) === 0;
}

/**
 * Container addresses change on every restart, so compose settings name the
 * balancer instead. IPv4 only (gethostbynamel), like Docker's default networks;
 * resolved once per request.
 *
 * @return list<string>
 */
function resolve_host(string $name): array
{
    static $resolved = [];
    return $resolved[$name] ??= is_host_name($name) ? (gethostbynamel($name) ?: []) : [];
}

/** @return list<string> the X-Forwarded-For entries, leftmost (claimed client) first */
function forwarded_for(Request $request): array
{
    $header = $request->header('X-Forwarded-For');
    if ($header === null) {
        return [];
    }
    return array_values(array_filter(array_map('trim', explode(',', $header)), fn (string $hop): bool => $hop !== ''));
}

/**
 * Walks the chain from the right: each trusted hop vouches for the one before
 * it; the first hop that is not a trusted proxy is the client. Walking from the
 * left would let a client pick its own address by sending a forged header.
 */
function client_address(Settings $settings, Request $request): string
{
    $hops = [...forwarded_for($request), $request->remoteAddr];
    $i = count($hops) - 1;
    while ($i > 0 && is_trusted_proxy($hops[$i], $settings->trustedProxies)) {
        if (filter_var($hops[$i - 1], FILTER_VALIDATE_IP) === false) {
            break;
        }
        $i--;
    }
    return $hops[$i];
}

function via_trusted_proxy(Settings $settings, Request $request): bool
{
    return is_trusted_proxy($request->remoteAddr, $settings->trustedProxies);
}

/** TLS may end at the balancer; then only a trusted X-Forwarded-Proto tells. */
function is_https(Settings $settings, Request $request): bool
{
    if ($request->https) {
        return true;
    }
    return via_trusted_proxy($settings, $request)
        && strtolower((string) $request->header('X-Forwarded-Proto')) === 'https';
}
