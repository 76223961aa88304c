<?php

declare(strict_types=1);

/** The favorite color test: GET shows the form, POST stores the color and redirects back. */

const MODE_EXPLANATIONS = [
    'none' => 'No stickiness: the balancer may send your next request to another node, which has no file for your session, so the color seems to vanish. Sticky or DB sessions fix that.',
    'sticky' => 'Sticky sessions: the balancer pins you to this node with its cookie, so this node finds your session file again. If this node goes down, your session is gone.',
    'db' => 'DB sessions: every node reads and writes your session in MariaDB through lb-db, so any node can answer and losing a web node loses nothing.',
];

function page_home(Settings $settings, Request $request): void
{
    try {
        $session = read_session($settings, $request);
    } catch (SessionUnavailable $e) {
        page_session_unavailable($settings, $e);
        return;
    }
    send_html(200, layout($settings, $session, 'Favorite color', color_form($session, '', null)));
}

function page_home_post(Settings $settings, Request $request): void
{
    $input = $request->field('color') ?? '';
    try {
        change_color($settings, $request, $input);
    } catch (InvalidColor $e) {
        $session = peek_session($settings, $request);
        send_html(400, layout($settings, $session, 'Favorite color', color_form($session, $input, $e->getMessage())));
        return;
    } catch (SessionUnavailable $e) {
        page_session_unavailable($settings, $e);
        return;
    }
    redirect_after_post('/');
}

function page_session_unavailable(Settings $settings, SessionUnavailable $e): void
{
    $main = '<p class="error">The session store is unavailable, so this node cannot show or keep your color right now.</p>'
        . '<p>Error: <code>' . h($e->getMessage()) . '</code></p>';
    send_html(503, layout($settings, SessionView::unavailable($settings, $e), 'Session store unavailable', $main));
}

function color_form(SessionView $session, string $value, ?string $error): string
{
    $options = implode('', array_map(fn (string $name): string => '<option value="' . h($name) . '">', CSS_COLOR_NAMES));
    $errorHtml = $error === null ? '' : '<p class="error" role="alert">' . h($error) . '</p>';
    return '<p class="explain">' . h(MODE_EXPLANATIONS[$session->mode]) . '</p>'
        . $errorHtml
        . '<form method="post" action="/">'
        . '<label for="color">Your favorite color</label> '
        . '<input id="color" name="color" list="css-colors" maxlength="' . COLOR_MAX_LENGTH . '"'
        . ' placeholder="teal or #336699" required value="' . h($value) . '"> '
        . '<button type="submit">Save</button>'
        . '<datalist id="css-colors">' . $options . '</datalist>'
        . '</form>'
        . '<p class="hint">Save a color, then reload a few times: the panel above shows which node answered and whether it still knows your color.</p>';
}
