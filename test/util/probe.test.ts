import { describe, expect, it } from 'vitest';
import { sleep } from '../../src/util/poll.js';
import { watchOutage } from '../../src/util/probe.js';

describe('watching an entry point for an outage', () => {
  it('gives the longest run without an answer, and 0 when it always answered', async () => {
    let up = true;
    const watch = watchOutage(async () => up, 5);
    await sleep(30);
    up = false;
    await sleep(60);
    up = true;
    await sleep(30);
    up = false;
    await sleep(20);
    up = true;
    const ms = await watch.stop();
    expect(ms).toBeGreaterThanOrEqual(50);
    expect(ms).toBeLessThan(200);
    const steady = watchOutage(async () => true, 5);
    await sleep(30);
    expect(await steady.stop()).toBe(0);
  });

  it('counts a run still under way when stopped whole: stop waits for the answer', async () => {
    let up = false;
    const watch = watchOutage(async () => up, 5);
    setTimeout(() => (up = true), 80);
    const ms = await watch.stop();
    expect(ms).toBeGreaterThanOrEqual(70);
  });
});
