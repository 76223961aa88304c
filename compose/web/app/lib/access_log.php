<?php

declare(strict_types=1);

/**
 * php -S runs with -q in the local runtime: its own lines are two per
 * request, lb-web's health checks included, and name no path. So the app
 * writes the access line itself, in Apache's combined format, to the
 * server's stderr (the node's log, `hactl logs web1`). lb-web's checks
 * (they send `Host: lb-web`, templates/haproxy-web.cfg.hbs) are left out,
 * four a second, as the web image's Apache config leaves them out.
 * Under Apache (the compose runtime) Apache's own CustomLog does this.
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
