import { readFileSync, rmSync, statSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { HactlError } from '../errors.js';
import { createFileAtomic, makeDirs } from '../util/atomic-write.js';
import { sleep } from '../util/poll.js';
import { procStat } from '../util/proc-stat.js';

interface Holder {
  pid: number;
  what: string;
  /** The holder's start time (/proc/PID/stat), so that a reused pid is not taken for it. */
  started?: number;
}

/**
 * This hactl writes its lock whole, in one step. A lock that cannot be read
 * was left half-written (a crash, a full disk, a hactl of old that wrote it
 * in two steps) or edited by hand; past this age nothing is still writing it.
 */
const UNREADABLE_STALE_MS = 2000;

/**
 * One changing command at a time per cluster: a second one waits briefly
 * for the lock, then fails naming the holder. A lock whose holder has ended
 * (a kill -9, a crash, its pid now another process's) or that cannot be
 * read and is a few seconds old is taken over.
 */
export async function withLock<T>(stateDir: string, what: string, fn: () => Promise<T>, waitMs = 5000): Promise<T> {
  makeDirs(stateDir, 0o700);
  const file = join(stateDir, 'lock');
  const self = procStat(process.pid);
  const record: Holder = { pid: process.pid, what, ...(self ? { started: self.startTicks } : {}) };
  const deadline = Date.now() + waitMs;
  while (!createFileAtomic(file, JSON.stringify(record), 0o600)) {
    const seen = inspect(file);
    if (seen === undefined) continue;
    if (seen.stale) {
      removeIfUnchanged(file, seen.stat);
      continue;
    }
    if (Date.now() > deadline) {
      throw new HactlError(
        seen.holder
          ? `another hactl command is running on this cluster (pid ${seen.holder.pid}: ${seen.holder.what}); try again when it has finished`
          : `the lock file ${file} cannot be read and is only ${seen.ageMs} ms old: another hactl command may be starting; try again in a few seconds`,
      );
    }
    await sleep(100);
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}

/** The lock as it is now; undefined once it is gone. */
function inspect(file: string): { stat: BigIntStats; holder: Holder | undefined; ageMs: number; stale: boolean } | undefined {
  let stat: BigIntStats;
  let holder: Holder | undefined;
  try {
    stat = statSync(file, { bigint: true });
    holder = parseHolder(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const ageMs = Math.max(0, Date.now() - Number(stat.mtimeMs));
  return { stat, holder, ageMs, stale: holder ? !running(holder) : ageMs > UNREADABLE_STALE_MS };
}

function parseHolder(text: string): Holder | undefined {
  try {
    const h = JSON.parse(text) as Partial<Holder> | null;
    return h && Number.isInteger(h.pid) && h.pid! > 0 ? { pid: h.pid!, what: String(h.what ?? '?'), ...(typeof h.started === 'number' ? { started: h.started } : {}) } : undefined;
  } catch {
    return undefined;
  }
}

function running(holder: Holder): boolean {
  const stat = procStat(holder.pid);
  // A zombie has ended; a process started at another time only has the holder's pid.
  return stat !== undefined && stat.state !== 'Z' && (holder.started === undefined || stat.startTicks === holder.started);
}

/**
 * Remove the stale lock seen, not a fresh one that another waiter put in its
 * place meanwhile (same name, maybe even the same inode number reused).
 */
function removeIfUnchanged(file: string, seen: BigIntStats): void {
  try {
    const now = statSync(file, { bigint: true });
    if (now.ino === seen.ino && now.mtimeNs === seen.mtimeNs && now.size === seen.size) rmSync(file, { force: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
