import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HactlError } from '../errors.js';
import { isAlive } from '../drivers/local/supervisor.js';
import { sleep } from '../util/poll.js';

/**
 * One changing command at a time per cluster: a second one waits briefly
 * for the lock, then fails naming the holder. A lock left by a dead process
 * (a kill -9, a crash) is taken over.
 */
export async function withLock<T>(stateDir: string, what: string, fn: () => Promise<T>, waitMs = 5000): Promise<T> {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, 'lock');
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      writeFileSync(file, JSON.stringify({ pid: process.pid, what }), { flag: 'wx', mode: 0o600 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder: { pid?: number; what?: string } = {};
    try {
      holder = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      /* being written right now */
    }
    if (holder.pid !== undefined && !isAlive(holder.pid)) {
      rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new HactlError(`another hactl command is running on this cluster (pid ${holder.pid ?? '?'}: ${holder.what ?? '?'}); try again when it has finished`);
    }
    await sleep(100);
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}
