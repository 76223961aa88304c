import type { Ack } from './db-writes.js';

/** The DB drill's maths, on the acknowledged writes alone: checked on made-up runs. */

/** The longest time between two acknowledged writes in [FROM, TO] (ms); the whole window when none was. */
export function longestPause(acks: readonly Ack[], from: number, to: number): number {
  const times = acks.map((a) => a.at).filter((t) => t >= from && t <= to).sort((a, b) => a - b);
  let longest = 0;
  let last = from;
  for (const t of [...times, to]) {
    longest = Math.max(longest, t - last);
    last = t;
  }
  return longest;
}

/** The masters that took the writes, in order of acknowledgement, each run once: ["mysql1", "mysql2"]. */
export function writerRuns(acks: readonly Ack[]): string[] {
  const runs: string[] = [];
  for (const a of [...acks].sort((x, y) => x.at - y.at)) if (runs.at(-1) !== a.node) runs.push(a.node);
  return runs;
}

/**
 * Two masters took writes in the same window: the writes went back to a
 * master after another had taken some (mysql1, mysql2, mysql1 …) where
 * the drill moved them EXPECTED times at most.
 */
export function twoWriters(acks: readonly Ack[], expectedMoves: number): boolean {
  return writerRuns(acks).length - 1 > expectedMoves;
}

/** Writes NODE took before AT (the moment it had caught up). */
export function writesBefore(acks: readonly Ack[], node: string, from: number, at: number): number {
  return acks.filter((a) => a.node === node && a.at >= from && a.at < at).length;
}
