<?php

declare(strict_types=1);

/**
 * The connection test: the way a request took to reach this node, and which
 * DB node answers behind lb-db. Answers 503 when the DB does not, but still
 * shows everything else.
 */
function page_conntest(Settings $settings, Request $request): void
{
    $db = probe_db($settings->db);
    $status = $db['ok'] ? 200 : 503;
    $trusted = via_trusted_proxy($settings, $request);
    $path = [
        'client' => client_address($settings, $request),
        'remote_addr' => $request->remoteAddr,
        'via_balancer' => $trusted,
        'balancer' => $trusted ? ['address' => $request->remoteAddr, 'name' => $request->header('X-Balancer')] : null,
        'forwarded_for' => forwarded_for($request),
        'connection' => client_connection($settings, $request),
    ];

    if ($request->wantsJson()) {
        send_json($status, [
            'node' => $settings->node->name,
            'address' => $settings->node->address,
            'port' => $settings->node->port,
        ] + $path + ['db' => $db]);
        return;
    }
    $main = conntest_path_html($settings, $path) . conntest_db_html($db);
    send_html($status, layout($settings, peek_session($settings, $request), 'Connection test', $main));
}

/**
 * A fresh connection each time: the point is to see which DB node lb-db picks now.
 *
 * @return array<string, mixed>
 */
function probe_db(DbSettings $db): array
{
    $result = ['ok' => false, 'endpoint' => $db->endpoint()];
    $start = hrtime(true);
    try {
        $pdo = db_connect($db);
        $result['connect_ms'] = ms_since($start);
        $queryStart = hrtime(true);
        $row = $pdo->query('SELECT @@hostname AS hostname, @@report_host AS report_host, @@server_id AS server_id, @@port AS port')->fetch();
        $result['query_ms'] = ms_since($queryStart);
    } catch (PDOException|ErrorException $e) {
        return $result + ['error' => $e->getMessage(), 'elapsed_ms' => ms_since($start)];
    }
    return ['ok' => true] + $result + [
        'hostname' => $row['hostname'],
        'report_host' => $row['report_host'],
        'server_id' => (int) $row['server_id'],
        'port' => (int) $row['port'],
        'rtt_ms' => ms_since($start),
    ];
}

/**
 * How the client reached the balancer, as the balancer saw it (X-Forwarded-Proto,
 * -Http-Version, -Tls): believed from a trusted proxy only; null otherwise.
 *
 * @return array{scheme: string, http_version: string|null, tls_version: string|null, cipher: string|null}|null
 */
function client_connection(Settings $settings, Request $request): ?array
{
    if (!via_trusted_proxy($settings, $request)) {
        return null;
    }
    $tls = $request->header('X-Forwarded-Tls');
    [$version, $cipher] = $tls !== null && preg_match('/^(\S+) (\S+)$/D', $tls, $m) === 1 ? [$m[1], $m[2]] : [null, null];
    return [
        'scheme' => is_https($settings, $request) ? 'https' : 'http',
        'http_version' => $request->header('X-Forwarded-Http-Version'),
        'tls_version' => $version,
        'cipher' => $cipher,
    ];
}

/** @param array<string, mixed> $path */
function conntest_path_html(Settings $settings, array $path): string
{
    $node = $settings->node;
    $hops = ['<li>Client <code>' . h($path['client']) . '</code></li>'];
    if ($path['balancer'] !== null) {
        $name = $path['balancer']['name'];
        $hops[] = '<li>Balancer <code>' . h($path['balancer']['address']) . '</code>'
            . ($name === null ? '' : ' (X-Balancer: <code>' . h($name) . '</code>)') . '</li>';
    }
    $hops[] = '<li>This node <strong>' . h($node->name) . '</strong> <code>' . h($node->address) . ':' . h($node->port) . '</code></li>';

    $chain = $path['forwarded_for'] === [] ? '(none)' : implode(', ', $path['forwarded_for']);
    $trust = $path['via_balancer']
        ? 'believed: it came from ' . $path['remote_addr'] . ', a trusted proxy'
        : 'ignored: ' . $path['remote_addr'] . ' is not in trusted_proxies, so it is the client';
    return '<h2>Path</h2><ol class="path">' . implode('', $hops) . '</ol>'
        . '<p>X-Forwarded-For: <code>' . h($chain) . '</code> (' . h($trust) . ')</p>'
        . conntest_connection_html($path['connection']);
}

/** @param array<string, string|null>|null $connection */
function conntest_connection_html(?array $connection): string
{
    if ($connection === null) {
        return '';
    }
    $html = '<h2>Client connection (as the balancer saw it)</h2><dl class="facts">'
        . '<dt>Protocol</dt><dd><strong>' . h(strtoupper($connection['scheme'])) . '</strong>'
        . ($connection['http_version'] === null ? '' : ' <code>' . h($connection['http_version']) . '</code>') . '</dd>';
    if ($connection['tls_version'] !== null) {
        $html .= '<dt>TLS version</dt><dd><code>' . h($connection['tls_version']) . '</code></dd>'
            . '<dt>Cipher</dt><dd><code>' . h($connection['cipher']) . '</code></dd>';
    }
    return $html . '</dl>';
}

/** @param array<string, mixed> $db */
function conntest_db_html(array $db): string
{
    $html = '<h2>Database</h2><dl class="facts"><dt>DB entry (lb-db)</dt><dd><code>' . h($db['endpoint']) . '</code></dd>';
    if (!$db['ok']) {
        return $html . '</dl><p class="error" role="alert">The database is DOWN or unreachable: <code>'
            . h($db['error']) . '</code> (after ' . h($db['elapsed_ms']) . ' ms)</p>';
    }
    return $html
        . '<dt>Answered by</dt><dd><strong>' . h($db['report_host'] ?? '(report_host not set)') . '</strong></dd>'
        . '<dt>@@hostname</dt><dd><code>' . h($db['hostname']) . '</code></dd>'
        . '<dt>@@server_id</dt><dd>' . h($db['server_id']) . '</dd>'
        . '<dt>@@port</dt><dd>' . h($db['port']) . '</dd>'
        . '<dt>Round trip</dt><dd>' . h($db['rtt_ms']) . ' ms (connect ' . h($db['connect_ms']) . ' ms, query ' . h($db['query_ms']) . ' ms)</dd>'
        . '</dl>';
}
