<?php

declare(strict_types=1);

function page_visitors(Settings $settings, Request $request): void
{
    $visits = visitors_list($settings);
    if ($request->wantsJson()) {
        send_json(200, [
            'node' => $settings->node->name,
            'visitors' => array_map(fn (Visit $visit): array => $visit->toArray(), $visits),
        ]);
        return;
    }
    $rows = '';
    foreach ($visits as $visit) {
        $rows .= '<tr><td><time datetime="' . h($visit->time()) . '">' . h($visit->time()) . '</time></td>'
            . '<td><code>' . h($visit->client) . '</code></td><td>' . h($visit->change()) . '</td></tr>';
    }
    $main = '<p class="explain">Changes made through this node only (the last ' . VISITORS_KEEP . ', newest first). '
        . 'Each node keeps its own list on its own disk: compare the lists of two nodes to see how the balancer spread the visitors.</p>'
        . ($rows === ''
            ? '<p>No visitor has changed anything on this node yet.</p>'
            : '<table><thead><tr><th>When (UTC)</th><th>Client</th><th>Change</th></tr></thead><tbody>' . $rows . '</tbody></table>');
    send_html(200, layout($settings, peek_session($settings, $request), 'Visitors of ' . $settings->node->name, $main));
}
