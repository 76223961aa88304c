<?php

declare(strict_types=1);

/**
 * The single entry point: `php -S ADDR:PORT -t compose/web/app compose/web/app/router.php`
 * (or a front controller behind another server). It never returns false, so
 * php -S never serves a file of this folder by itself: lib/ and pages/ stay private.
 */

foreach (['fs', 'http', 'errors', 'access_log', 'settings', 'proxy', 'color', 'db', 'session_db', 'session', 'visitors', 'changes', 'layout'] as $lib) {
    require_once __DIR__ . "/lib/{$lib}.php";
}
foreach (['home', 'api_session', 'visitors', 'conntest', 'health', 'not_found'] as $page) {
    require_once __DIR__ . "/pages/{$page}.php";
}

const ROUTES = [
    '/' => ['GET' => 'page_home', 'POST' => 'page_home_post'],
    '/api/session' => ['GET' => 'api_session_get', 'POST' => 'api_session_post'],
    '/api/session/counter' => ['POST' => 'api_session_counter'],
    '/visitors' => ['GET' => 'page_visitors'],
    '/conntest' => ['GET' => 'page_conntest'],
    '/health' => ['GET' => 'page_health'],
    '/style.css' => ['GET' => 'send_stylesheet'],
];

function send_stylesheet(Settings $settings, Request $request): void
{
    header('Content-Type: text/css; charset=utf-8');
    header('Cache-Control: public, max-age=300');
    readfile(__DIR__ . '/static/style.css');
}

function route(Settings $settings, Request $request): void
{
    $methods = ROUTES[$request->path] ?? null;
    if ($methods === null) {
        page_not_found($settings, $request);
        return;
    }
    // HEAD is GET without the body; php -S drops the body itself.
    $handler = $methods[$request->method === 'HEAD' ? 'GET' : $request->method] ?? null;
    if ($handler === null) {
        header('Allow: ' . implode(', ', array_keys($methods)) . (isset($methods['GET']) ? ', HEAD' : ''));
        send_error($request, 405, "method {$request->method} not allowed on {$request->path}");
        return;
    }
    $handler($settings, $request);
}

// The whole answer is buffered so that it can carry a Content-Length: php -S closes
// every connection and sends no length, and without one lb-web cannot keep the
// visitor's connection alive either (it must read the body until the close).
log_access_at_end();
ob_start();
$request = Request::fromGlobals();
install_error_handling($request);
header_remove('X-Powered-By');
header('X-Content-Type-Options: nosniff');
header('Referrer-Policy: same-origin');
header("Content-Security-Policy: default-src 'none'; style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
// Each answer says which node gave it: nothing between here and the visitor may cache it.
header('Cache-Control: no-store');

try {
    $settings = Settings::load(Settings::path());
} catch (SettingsError $e) {
    // The logical node name is in the file we could not use; the host name is the next best answer.
    header('X-Served-By: ' . (gethostname() ?: 'unknown'));
    error_log('hactl app: ' . $e->getMessage());
    send_error($request, 500, 'hactl app: ' . $e->getMessage());
    return;
}
header('X-Served-By: ' . $settings->node->name);
route($settings, $request);
// Saved before the answer leaves: with a length, the visitor may send its next
// request (to another node) as soon as the body is complete.
if (session_status() === PHP_SESSION_ACTIVE) {
    session_write_close();
}
if (!headers_sent()) {
    header('Content-Length: ' . ob_get_length());
}
ob_end_flush();
