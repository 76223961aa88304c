import { describe, expect, it } from 'vitest';
import { LiveFeed } from '../../src/dashboard/live.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LiveFeed', () => {
  it('reads only while someone listens, and sends every read to every listener', async () => {
    let reads = 0;
    const feed = new LiveFeed(async () => ++reads, 20);
    await sleep(60);
    expect(reads).toBe(0);
    const a: unknown[] = [];
    const b: unknown[] = [];
    const stopA = feed.subscribe((event, data) => event === 'status' && a.push(JSON.parse(data)));
    const stopB = feed.subscribe((event, data) => event === 'status' && b.push(JSON.parse(data)));
    await sleep(110);
    stopA();
    stopB();
    const after = reads;
    expect(after).toBeGreaterThanOrEqual(3);
    expect(a.length).toBeGreaterThanOrEqual(3);
    expect(b.slice(-2)).toEqual(a.slice(-2));
    await sleep(80);
    expect(reads).toBeLessThanOrEqual(after + 1);
  });

  it('joins a read under way instead of starting another', async () => {
    let reads = 0;
    const feed = new LiveFeed(async () => {
      reads++;
      await sleep(30);
      return reads;
    });
    const [x, y] = await Promise.all([feed.refresh(), feed.refresh()]);
    expect(x).toBe(1);
    expect(y).toBe(1);
    expect(reads).toBe(1);
    // Nobody listens, so nobody keeps it fresh: asked again, it reads again.
    expect(await feed.current()).toBe(2);
  });

  it('a new listener gets a snapshot kept fresh for others at once, never a stale one; a failed read is reported, and the feed goes on', async () => {
    let n = 0;
    const feed = new LiveFeed(async () => {
      n++;
      if (n === 3) throw new Error('lb-web socket gone');
      return n;
    }, 10);
    await feed.refresh();
    await sleep(50);
    // Read 50 ms ago with nobody listening: not sent as it is.
    const events: [string, unknown][] = [];
    const stop = feed.subscribe((event, data) => events.push([event, JSON.parse(data)]));
    expect(events).toEqual([]);
    await sleep(5);
    expect(events[0]).toEqual(['status', 2]);
    const second: unknown[] = [];
    const stopSecond = feed.subscribe((event, data) => second.push(JSON.parse(data)));
    expect(second.length).toBe(1);
    await sleep(60);
    stop();
    stopSecond();
    expect(events).toContainEqual(['feed-error', { message: 'lb-web socket gone', details: [] }]);
    expect(events.filter(([e]) => e === 'status').length).toBeGreaterThanOrEqual(3);
  });
});
