<?php

declare(strict_types=1);

/**
 * The changes a visitor can make. Shared by the HTML form and the JSON API so
 * that both validate, lock and record in exactly the same way.
 */

/** @throws InvalidColor|SessionUnavailable */
function change_color(Settings $settings, Request $request, string $input): SessionView
{
    $color = normalize_color($input);
    [$old] = update_session($settings, $request, 'color', fn (): string => $color);
    record_change($settings, $request, 'color', is_string($old) ? $old : null, $color);
    return SessionView::current($settings);
}

/**
 * A read-modify-write on purpose: parallel calls on one session lose
 * increments unless the session handler locks (drills and tests count on it).
 *
 * @throws SessionUnavailable
 */
function increment_counter(Settings $settings, Request $request): SessionView
{
    [$old, $new] = update_session($settings, $request, 'counter', fn (mixed $old): int => (is_int($old) ? $old : 0) + 1);
    record_change($settings, $request, 'counter', is_int($old) ? (string) $old : null, (string) $new);
    return SessionView::current($settings);
}

/** The visitors list is a side show: a full or read-only data_dir is logged, and the change still counts. */
function record_change(Settings $settings, Request $request, string $field, ?string $from, string $to): void
{
    try {
        visitors_record($settings, new Visit(time(), client_address($settings, $request), $field, $from, $to));
    } catch (RuntimeException|ErrorException $e) {
        error_log('hactl app: visitor not recorded: ' . $e->getMessage());
    }
}
