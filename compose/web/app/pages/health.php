<?php

declare(strict_types=1);

/**
 * What HAProxy checks. It touches neither the session store nor the DB:
 * a DB outage must not make the balancer take every web node out.
 */
function page_health(Settings $settings, Request $request): void
{
    send_text(200, 'OK ' . $settings->node->name);
}
