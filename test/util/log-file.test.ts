import { appendFileSync, copyFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { followLog, markLog, readSince, rotatedLog, tailLog } from '../../src/util/log-file.js';
import { eventually } from '../support/cluster.js';
import { tempDir } from '../support/temp.js';

const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}\n`).join('');

/** What the capping loop does (log-cap.ts): copy to NAME.1, then empty NAME in place. */
function copyTruncate(file: string): void {
  copyFileSync(file, rotatedLog(file));
  truncateSync(file, 0);
}

describe('a capped log file, read', () => {
  it('tail reaches back into NAME.1 when NAME was just emptied', () => {
    const log = join(tempDir('hactl-log-'), 'lb-web.log');
    writeFileSync(log, lines(1, 10));
    copyTruncate(log);
    appendFileSync(log, lines(11, 12));
    expect(tailLog(log, 5).text).toBe(lines(8, 12));
    expect(tailLog(log, 2).text).toBe(lines(11, 12));
    expect(tailLog(log, 0).text).toBe('');
    expect(tailLog(log, 100).text).toBe(lines(1, 12));
  });

  it('readSince gives what was written after a mark, also across a truncation', () => {
    const log = join(tempDir('hactl-log-'), 'lb-web.log');
    writeFileSync(log, lines(1, 3));
    const mark = markLog(log);
    appendFileSync(log, lines(4, 5));
    expect(readSince(log, mark)).toBe(lines(4, 5));
    copyTruncate(log);
    appendFileSync(log, lines(6, 6));
    expect(readSince(log, mark)).toBe(lines(4, 6));
  });

  it('follow keeps every line across a truncation, the ones it had not read yet included', async () => {
    const log = join(tempDir('hactl-log-'), 'web1.log');
    writeFileSync(log, lines(1, 2));
    let out = '';
    const stop = new AbortController();
    const following = followLog(log, markLog(log), (chunk) => (out += chunk), stop.signal);
    appendFileSync(log, lines(3, 4));
    await eventually('lines 3 and 4', async () => out === lines(3, 4), 5000);
    // Written and truncated away before the follower looked: found in NAME.1.
    appendFileSync(log, lines(5, 6));
    copyTruncate(log);
    appendFileSync(log, lines(7, 8));
    await eventually('lines 5 to 8', async () => out === lines(3, 8), 5000);
    stop.abort();
    await following;
  });
});
