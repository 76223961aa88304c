import type { SessionMode } from '../spec/model.js';
import type { Answer } from './client.js';

/**
 * The drill's maths, kept apart from the cluster so that each column of its
 * table can be checked on made-up samples.
 */

/** Where in the script a request was made. */
export type Phase = 'set' | 'before-kill' | 'after-kill' | 'after-store-kill';

export interface Sample extends Answer {
  phase: Phase;
}

/** How many reads of a kind there were, and how many of them returned the color. */
export interface Survival {
  reads: number;
  kept: number;
}

export type Verdict = 'yes' | 'no' | 'partly' | 'n/a';

export function verdict(s: Survival): Verdict {
  if (s.reads === 0) return 'n/a';
  if (s.kept === s.reads) return 'yes';
  return s.kept === 0 ? 'no' : 'partly';
}

/**
 * Nearest-rank percentile: the smallest value with at least P % of the
 * values at or below it. Always one of the measured values, never an
 * interpolation, so p99 of 30 samples is honestly the slowest one.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in (0, 100]`);
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}

/** How many answers each node gave. */
export function servedByCounts(samples: readonly Sample[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of samples) if (s.ok && s.servedBy !== null) counts[s.servedBy] = (counts[s.servedBy] ?? 0) + 1;
  return counts;
}

/** The share of answers given by the node that gave the most; null with no answers. */
export function stayedRatio(counts: Record<string, number>): { ratio: number; node: string } | null {
  const entries = Object.entries(counts).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  const [node, most] = entries[0] ?? [];
  return total === 0 || node === undefined ? null : { ratio: most! / total, node };
}

/** The global status counters that count write statements, whatever they change. */
export const WRITE_COUNTERS = [
  'Com_insert',
  'Com_insert_select',
  'Com_update',
  'Com_update_multi',
  'Com_delete',
  'Com_delete_multi',
  'Com_replace',
  'Com_replace_select',
] as const;

/** Transactions the master wrote to its binary log: what replication carries to the other masters. */
export const REPLICATED_COUNTER = 'Binlog_commits';

/** The DB's side of a run: SHOW GLOBAL STATUS deltas (name -> value) of the active master. */
export interface DbDelta {
  writes: number;
  replicated: number;
}

export function dbDelta(before: Record<string, number>, after: Record<string, number>): DbDelta {
  const delta = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
  return { writes: WRITE_COUNTERS.reduce((sum, name) => sum + delta(name), 0), replicated: delta(REPLICATED_COUNTER) };
}

export interface ModeResult {
  mode: SessionMode;
  color: string;
  /** The node that answered the POST that set the color. */
  set_on: string;
  /** The node the client was on when it was killed. */
  killed: string;
  /** Every request of the script: the POST, the reads before and after the kill. */
  requests: number;
  /** Requests that got no 200 answer (a refused connection, a 502/503...). */
  failed: number;
  /** Answers per node, reads before the kill. */
  served_by: Record<string, number>;
  /** Answers per node, reads after the kill. */
  served_by_after_kill: Record<string, number>;
  /** How many sessions the client was given over the run: 1 when its session followed it everywhere. */
  session_ids: number;
  /** Share of the reads before the kill answered by the node that answered most of them. */
  stayed_on_one_node: number | null;
  /** Reads before the kill answered by another node than set_on, and how many of those had the color. */
  survived_switch: Survival & { verdict: Verdict };
  /** Reads after the kill, and how many of those had the color. */
  survived_death: Survival & { verdict: Verdict };
  /** The store node killed next (the Redis primary, a memcached node); null where sessions live in no store node of their own. */
  store_killed: string | null;
  /** Reads after the store node's death, and how many of those had the color ('n/a' without one). */
  survived_store_death: Survival & { verdict: Verdict };
  /** Session commands the store served over the steady part (the POST and the reads before the kill), and per request; null without a store of its own. */
  store_ops: number | null;
  store_ops_per_request: number | null;
  /** Client-side time of the POST and the reads before the kill (the steady state, no failover in it). */
  latency_ms: { p50: number | null; p99: number | null };
  /** Write statements on the active master while the script ran, and per request. */
  db_writes: number;
  db_writes_per_request: number;
  /** Of those, the transactions that changed something and went to the binary log (and to the other masters). */
  db_replicated_transactions: number;
  /** The first few error messages, to tell a failing site from a lost color. */
  errors: string[];
}

export function summarizeMode(input: { mode: SessionMode; color: string; samples: readonly Sample[]; killed: string; db: DbDelta; store?: { killed: string; ops: number } | undefined }): ModeResult {
  const { mode, color, samples, killed, db, store } = input;
  const set = samples.find((s) => s.phase === 'set');
  const before = samples.filter((s) => s.phase === 'before-kill');
  const after = samples.filter((s) => s.phase === 'after-kill');
  const afterStore = samples.filter((s) => s.phase === 'after-store-kill');
  const hasColor = (s: Sample) => s.ok && s.color === color;
  const setOn = set?.servedBy ?? '';
  // A failed read names no node (or the one that failed it): it says nothing about a switch.
  const switched = before.filter((s) => s.ok && s.servedBy !== null && s.servedBy !== setOn);
  const survival = (reads: Sample[]): Survival & { verdict: Verdict } => {
    const s = { reads: reads.length, kept: reads.filter(hasColor).length };
    return { ...s, verdict: verdict(s) };
  };
  const servedBy = servedByCounts(before);
  const steadySamples = samples.filter((s) => s.phase === 'set' || s.phase === 'before-kill');
  const steady = steadySamples.map((s) => s.ms);
  const round = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);
  return {
    mode,
    color,
    set_on: setOn,
    killed,
    requests: samples.length,
    failed: samples.filter((s) => !s.ok).length,
    served_by: servedBy,
    served_by_after_kill: servedByCounts(after),
    session_ids: new Set(samples.flatMap((s) => (s.ok && s.sessionId !== null ? [s.sessionId] : []))).size,
    stayed_on_one_node: stayedRatio(servedBy)?.ratio ?? null,
    survived_switch: survival(switched),
    // Every read after the kill counts: a failed one did not give the color back either.
    survived_death: survival(after),
    store_killed: store?.killed ?? null,
    survived_store_death: survival(afterStore),
    store_ops: store?.ops ?? null,
    store_ops_per_request: store === undefined || steadySamples.length === 0 ? null : round(store.ops / steadySamples.length),
    latency_ms: { p50: round(percentile(steady, 50)), p99: round(percentile(steady, 99)) },
    db_writes: db.writes,
    db_writes_per_request: samples.length === 0 ? 0 : Math.round((db.writes / samples.length) * 100) / 100,
    db_replicated_transactions: db.replicated,
    errors: [...new Set(samples.flatMap((s) => (s.ok || s.error === undefined ? [] : [s.error])))].slice(0, 3),
  };
}
