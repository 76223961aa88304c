import { appendFileSync, copyFileSync, mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, MAIN, TestCluster } from '../support/cluster.js';

// `hactl logs NAME` on a local project's capped log (.hactl/log/NAME.log and
// NAME.log.1): no process is started, the files are written by the test.
const cluster = new TestCluster(68);
afterAll(() => rmSync(cluster.dir, { recursive: true, force: true }));

const logDir = join(cluster.dir, '.hactl', 'log');
const log = join(logDir, 'web1.log');
const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}\n`).join('');

/** What the capping loop beside each node does once a log is full: copy to NAME.1, empty NAME. */
function copyTruncate(): void {
  copyFileSync(log, `${log}.1`);
  truncateSync(log, 0);
}

describe('hactl logs on a capped log', () => {
  it('-n N reaches back into NAME.1 when the log was just emptied', async () => {
    mkdirSync(logDir, { recursive: true });
    writeFileSync(log, lines(1, 10));
    copyTruncate();
    appendFileSync(log, lines(11, 12));
    const r = await cluster.hactl('logs', 'web1', '-n', '5');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(lines(8, 12).trimEnd()); // execa drops the last newline
  });

  it('--follow goes on across the emptying, and loses no line written just before it', async () => {
    mkdirSync(logDir, { recursive: true });
    writeFileSync(log, lines(1, 3));
    const follow = execa('node', [MAIN, 'logs', 'web1', '--follow', '-n', '1'], { cwd: cluster.dir, reject: false, env: { NO_COLOR: '1' } });
    let out = '';
    follow.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await eventually('the last line', async () => out === lines(3, 3));
      appendFileSync(log, lines(4, 4));
      await eventually('line 4', async () => out === lines(3, 4));
      // Line 5 is copied to NAME.1 and truncated away before the follower can read it
      // (it is stopped meanwhile: it would otherwise read line 5 at once, most of the time).
      process.kill(follow.pid!, 'SIGSTOP');
      appendFileSync(log, lines(5, 5));
      copyTruncate();
      appendFileSync(log, lines(6, 7));
      process.kill(follow.pid!, 'SIGCONT');
      await eventually('lines 5 to 7', async () => out === lines(3, 7), 5000);
    } finally {
      follow.kill('SIGINT');
      await follow;
    }
    expect(out).toBe(lines(3, 7));
  });

  it('clean takes NAME.log.1 for part of NAME\'s log: kept with its node, removed with a removed one', async () => {
    mkdirSync(logDir, { recursive: true });
    for (const file of ['web1.log', 'web1.log.1', 'web9.log', 'web9.log.1']) writeFileSync(join(logDir, file), 'a line\n');
    const r = await cluster.hactl('clean', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`would remove web9: ${join(logDir, 'web9.log')}, ${join(logDir, 'web9.log.1')}`);
    expect(r.stdout).not.toMatch(/web1/);
  });
});
