import type { ProcessKind, ProcessStatus } from '../drivers/driver.js';
import type { ConcreteRuntime } from '../spec/model.js';
import type { ProcessIds } from './model.js';

export function processIds(p: ProcessStatus | undefined): ProcessIds {
  return { pid: p?.pid ?? null, pgid: p?.pgid ?? null, container: p?.container ?? null, started_at: p?.startedAt ?? null };
}

/** One line of `hactl ps`. */
export interface ProcessRow extends ProcessIds {
  name: string;
  kind: ProcessKind;
  runtime: ConcreteRuntime;
  running: boolean;
  /** What a user types to kill it at once, as a crash would; null when it is not running. */
  kill: string | null;
}

/**
 * A crash, not a stop: SIGKILL to the whole process group (php -S workers
 * and HAProxy's worker outlive their parent otherwise), or docker kill.
 * The record stays, so `hactl up` restarts it as it would after a real crash.
 */
export function killCommand(runtime: ConcreteRuntime, p: ProcessStatus): string | null {
  if (!p.running) return null;
  if (runtime === 'compose') return `docker kill ${p.containerName ?? p.name}`;
  return p.pgid === undefined ? null : `kill -9 -${p.pgid}`;
}

export function processRows(runtime: ConcreteRuntime, processes: ProcessStatus[]): ProcessRow[] {
  return processes.map((p) => ({ name: p.name, kind: p.kind, runtime, running: p.running, ...processIds(p), kill: killCommand(runtime, p) }));
}
