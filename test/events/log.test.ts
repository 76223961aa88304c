import { appendFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendEvents, eventsFile, readEvents, type ClusterEvent } from '../../src/events/log.js';
import { tempDir } from '../support/temp.js';

const state = (n: number): ClusterEvent => ({ at: `2026-12-03T10:00:${String(n).padStart(2, '0')}.000Z`, type: 'state', subject: 'web1', from: 'up', to: `down${n}` });

describe('the event log', () => {
  it('appends a JSON object a line (0600), reads the last N oldest first, and leaves out a line cut short or changed by hand', () => {
    const dir = join(tempDir('hactl-events-'), '.hactl');
    appendEvents(dir, [state(1), state(2)]);
    appendEvents(dir, [{ at: '2026-12-03T10:00:03.000Z', type: 'operation', user: 'ana', command: 'hactl drain web1', result: 'applied', version: 4 }]);
    expect(statSync(eventsFile(dir)).mode & 0o777).toBe(0o600);
    appendFileSync(eventsFile(dir), '{"at": "2026-12-03T10:00:04.000Z", "type": "sta\nnot json\n{"type": "state"}\n');
    expect(readEvents(dir, 10).map((e) => (e.type === 'state' ? e.to : e.command))).toEqual(['down1', 'down2', 'hactl drain web1']);
    expect(readEvents(dir, 2).map((e) => e.at.slice(-7, -5))).toEqual(['02', '03']);
    expect(readEvents(join(dir, 'none'), 5)).toEqual([]);
  });

  it('past its cap it moves to events.jsonl.1 and begins again; reading takes the older file too when asked for more', () => {
    const dir = join(tempDir('hactl-events-'), '.hactl');
    appendEvents(dir, [state(1)]);
    writeFileSync(eventsFile(dir), `${JSON.stringify(state(1))}\n`.repeat(1) + ' '.repeat(4 * 1024 * 1024 + 1) + '\n');
    appendEvents(dir, [state(2)]);
    expect(statSync(`${eventsFile(dir)}.1`).size).toBeGreaterThan(4 * 1024 * 1024);
    expect(readEvents(dir, 1).map((e) => e.type === 'state' && e.to)).toEqual(['down2']);
    expect(readEvents(dir, 5).map((e) => e.type === 'state' && e.to)).toEqual(['down1', 'down2']);
  });
});
