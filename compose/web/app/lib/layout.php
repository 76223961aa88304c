<?php

declare(strict_types=1);

/**
 * The frame of every HTML page. The "served by" panel is the point of the
 * app: reload and watch which node answers and whether the session follows.
 * Every value is escaped here or by the caller with h(); $main is trusted HTML.
 */
function layout(Settings $settings, SessionView $session, string $title, string $main): string
{
    $h = h(...);
    $node = $settings->node;
    $nav = '';
    foreach (['/' => 'Favorite color', '/visitors' => 'Visitors', '/conntest' => 'Connection test'] as $href => $label) {
        $nav .= '<a href="' . h($href) . '">' . h($label) . '</a>';
    }
    $swatch = $session->color === null ? '' : '<span class="swatch" style="background:' . h($session->color) . '"></span>';
    $sessionRow = $session->error === null
        ? '<dd><code>' . h($session->id ?? '(no session yet)') . '</code></dd>'
        : '<dd class="error">' . h($session->error) . '</dd>';

    return <<<HTML
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{$h($title)} · {$h($node->name)} · {$h($settings->cluster)}</title>
        <link rel="stylesheet" href="/style.css">
        </head>
        <body>
        <header>
        <p class="cluster">hactl cluster <strong>{$h($settings->cluster)}</strong></p>
        <nav>{$nav}</nav>
        </header>
        <section class="served-by" aria-label="Served by">
        <dl>
        <dt>Served by</dt><dd><strong class="node">{$h($node->name)}</strong> <code>{$h($node->address)}:{$h($node->port)}</code></dd>
        <dt>Session id</dt>{$sessionRow}
        <dt>Session handler</dt><dd>{$h($session->handler())} <span class="mode">mode {$h($session->mode)}</span></dd>
        <dt>Favorite color</dt><dd>{$swatch}{$h($session->color ?? '(none)')}</dd>
        </dl>
        </section>
        <main>
        <h1>{$h($title)}</h1>
        {$main}
        </main>
        </body>
        </html>
        HTML;
}
