import { tempDir } from '../support/temp.js';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withLock } from '../../src/ops/lock.js';

const MINUTE_AGO = new Date(Date.now() - 60_000);

function lockFile(content: string, mtime?: Date): { stateDir: string; file: string } {
  const stateDir = tempDir('hactl-lock-');
  const file = join(stateDir, 'lock');
  writeFileSync(file, content);
  if (mtime) utimesSync(file, mtime, mtime);
  return { stateDir, file };
}

const ran = () => Promise.resolve('ran');

describe('the cluster lock', () => {
  it.each([
    ['empty', ''],
    ['not JSON', '{"pid": 12'],
    ['JSON without a pid', '{"what": "up"}'],
  ])('takes over a lock file that is %s once it is a few seconds old', async (_, content) => {
    const { stateDir, file } = lockFile(content, MINUTE_AGO);
    await expect(withLock(stateDir, 'render', ran, 200)).resolves.toBe('ran');
    expect(existsSync(file)).toBe(false);
  });

  it('leaves a fresh unreadable lock alone (a hactl of old wrote it in two steps) and says it cannot read it', async () => {
    const { stateDir, file } = lockFile('');
    await expect(withLock(stateDir, 'render', ran, 200)).rejects.toThrow(/lock file .*lock cannot be read/);
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('takes over the lock of a process that has ended', async () => {
    const { stateDir } = lockFile(JSON.stringify({ pid: 2 ** 22 + 1, what: 'up' }));
    await expect(withLock(stateDir, 'render', ran, 200)).resolves.toBe('ran');
  });

  it('takes over a lock whose pid now belongs to another process (started at another time)', async () => {
    const { stateDir } = lockFile(JSON.stringify({ pid: process.pid, what: 'up', started: 1 }));
    await expect(withLock(stateDir, 'render', ran, 200)).resolves.toBe('ran');
  });

  it('waits for a live holder, then names it', async () => {
    const stateDir = tempDir('hactl-lock-');
    await withLock(stateDir, 'up', async () => {
      await expect(withLock(stateDir, 'render', ran, 200)).rejects.toThrow(`another hactl command is running on this cluster (pid ${process.pid}: up)`);
    });
  });

  it('holds the lock while the command runs and removes it after', async () => {
    const stateDir = tempDir('hactl-lock-');
    const file = join(stateDir, 'lock');
    await withLock(stateDir, 'up', async () => {
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, what: 'up' });
    });
    expect(existsSync(file)).toBe(false);
  });
});
