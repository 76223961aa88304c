<?php

declare(strict_types=1);

/** The JSON API for scripts, tests and drills: same session, same rules as the form. */

function api_session_get(Settings $settings, Request $request): void
{
    api_session_answer($settings, fn (): SessionView => read_session($settings, $request));
}

function api_session_post(Settings $settings, Request $request): void
{
    api_session_answer($settings, fn (): SessionView => change_color($settings, $request, $request->field('color') ?? ''));
}

function api_session_counter(Settings $settings, Request $request): void
{
    api_session_answer($settings, fn (): SessionView => increment_counter($settings, $request));
}

/** @param Closure(): SessionView $operation */
function api_session_answer(Settings $settings, Closure $operation): void
{
    try {
        send_json(200, $operation()->toApi($settings));
    } catch (InvalidColor $e) {
        send_json(400, ['error' => $e->getMessage()]);
    } catch (SessionUnavailable $e) {
        send_json(503, ['error' => $e->getMessage()]);
    }
}
