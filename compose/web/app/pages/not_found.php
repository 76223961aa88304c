<?php

declare(strict_types=1);

function page_not_found(Settings $settings, Request $request): void
{
    if ($request->wantsJson()) {
        send_json(404, ['error' => 'not found', 'path' => $request->path]);
        return;
    }
    $main = '<p>Nothing here at <code>' . h($request->path) . '</code>.</p><p><a href="/">Back to the color test</a></p>';
    send_html(404, layout($settings, peek_session($settings, $request), 'Not found', $main));
}
