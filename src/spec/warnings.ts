import type { Cluster } from './model.js';
import type { Problem } from './problem.js';

/** mod_proxy_hcheck's watchdog wakes every 100 ms: Apache refuses a shorter hcinterval. */
export const HCHECK_TICK_MS = 100;

/**
 * How often Apache really checks a member for an interval of MS: at the first
 * watchdog tick strictly after the interval has passed since the last check
 * (measured: 100 ms checks every 200 ms, 250 ms every 300 ms).
 */
export function hcheckPeriodMs(ms: number): number {
  const interval = Math.max(HCHECK_TICK_MS, ms);
  return (Math.floor(interval / HCHECK_TICK_MS) + 1) * HCHECK_TICK_MS;
}

/**
 * What is valid but does not do quite what the file says: printed by
 * validate and up, never a reason to refuse. Pure.
 */
export function clusterWarnings(c: Cluster): Problem[] {
  if (c.balancer.engine !== 'apache') return [];
  const asked = c.health.intervalMs;
  const floor = asked < HCHECK_TICK_MS ? `Apache's floor is ${HCHECK_TICK_MS} ms, so hactl asks for ${HCHECK_TICK_MS} ms, and ` : '';
  return [
    {
      path: ['health', 'interval'],
      message: `${asked} ms: ${floor}Apache's checks run on a ${HCHECK_TICK_MS} ms tick, so each node is checked every ${hcheckPeriodMs(asked)} ms (a dead node is out after about ${c.health.fall} × that)`,
    },
  ];
}
