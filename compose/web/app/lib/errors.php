<?php

declare(strict_types=1);

/**
 * Visitors get a short message, never a warning dump or a stack trace; the
 * details go to the log (Apache's error log: the node's log, hactl logs webN). Warnings become exceptions so
 * that a failure stops the request instead of rendering half a page.
 */
function install_error_handling(Request $request): void
{
    ini_set('display_errors', '0');
    ini_set('log_errors', '1');
    set_error_handler(function (int $severity, string $message, string $file, int $line): bool {
        if ((error_reporting() & $severity) === 0) {
            return false; // silenced with @ on purpose
        }
        throw new ErrorException($message, 0, $severity, $file, $line);
    });
    set_exception_handler(function (Throwable $e) use ($request): void {
        error_log('hactl app: ' . $e);
        if (!headers_sent()) {
            send_error($request, 500, 'internal error (details are in the server log)');
        }
    });
    register_shutdown_function(function () use ($request): void {
        $error = error_get_last();
        if ($error !== null && in_array($error['type'], [E_ERROR, E_PARSE, E_CORE_ERROR, E_COMPILE_ERROR], true) && !headers_sent()) {
            send_error($request, 500, 'internal error (details are in the server log)');
        }
    });
}
