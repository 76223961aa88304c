<?php

declare(strict_types=1);

/**
 * Under `php -S` (the app's own tests, or by hand: router.php), run with -q,
 * php's own lines are two per request, health checks included, and name no
 * path. So the app writes the access line itself, in Apache's combined
 * format, to the server's stderr, leaving out lb-web's checks (they send
 * `Host: lb-web`, templates/haproxy-web.cfg.hbs). Under Apache, as both of
 * hactl's runtimes run a web node, Apache's own CustomLog does this
 * (templates/apache-node.conf.hbs, compose/web/apache-hactl.conf).
 */
function log_access_at_end(): void
{
    if (PHP_SAPI !== 'cli-server' || ($_SERVER['HTTP_HOST'] ?? '') === 'lb-web') {
        return;
    }
    register_shutdown_function(static function (): void {
        $length = '-';
        foreach (headers_list() as $header) {
            if (stripos($header, 'Content-Length:') === 0) {
                $length = trim(substr($header, strlen('Content-Length:')));
            }
        }
        $field = static fn (string $key): string => addcslashes((string) ($_SERVER[$key] ?? '-'), "\"\\\0..\37");
        file_put_contents('php://stderr', sprintf(
            "%s - - [%s] \"%s %s %s\" %d %s \"%s\" \"%s\"\n",
            $field('REMOTE_ADDR'),
            date('d/M/Y:H:i:s O'),
            $field('REQUEST_METHOD'),
            $field('REQUEST_URI'),
            $field('SERVER_PROTOCOL'),
            http_response_code() ?: 200,
            $length,
            $field('HTTP_REFERER'),
            $field('HTTP_USER_AGENT'),
        ));
    });
}
