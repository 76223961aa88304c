import type { Connection } from 'mysql2/promise';
import { sleep } from '../util/poll.js';

/**
 * Steady writes through lb-db, as PHP requests make them: each on a
 * connection of its own, several at a time. Every write the database
 * acknowledged is kept with the master that took it (@@report_host) and
 * when, so that a drill can tell what was lost, when writes paused and
 * whether two masters took writes in the same window.
 */

/** A write the database acknowledged (its INSERT returned). */
export interface Ack {
  id: number;
  node: string;
  /** When the acknowledgement came back (ms since the epoch). */
  at: number;
}

export interface WriteRun {
  acked: Ack[];
  /** Writes that failed (refused read-only, connection lost…), by MariaDB's or Node's error code. */
  failed: Record<string, number>;
  /** Each failure, when it came back and its code. */
  failures: { at: number; code: string }[];
}

export interface WriteLoad {
  /** What has been acknowledged so far (live: the array grows). */
  readonly acked: readonly Ack[];
  stop(): Promise<WriteRun>;
}

/** Pause after a failed write, so that a dead entry point is not hammered. */
const RETRY_MS = 20;

export function steadyWrites(connect: () => Promise<Connection>, table: string, workers = 4): WriteLoad {
  const acked: Ack[] = [];
  const failed: Record<string, number> = {};
  const failures: { at: number; code: string }[] = [];
  let running = true;
  const worker = async (n: number) => {
    while (running) {
      let conn: Connection | undefined;
      try {
        conn = await connect();
        // The table name is the drill's own constant, never user input.
        const [result] = await conn.query(`INSERT INTO ${table} (worker, at) VALUES (?, NOW(6))`, [n]);
        const at = Date.now();
        const [[row]] = (await conn.query('SELECT @@report_host AS node')) as unknown as [{ node: string }[]];
        acked.push({ id: Number((result as { insertId: number }).insertId), node: String(row?.node), at });
      } catch (err) {
        const code = String((err as { code?: string }).code ?? (err as Error).message);
        failed[code] = (failed[code] ?? 0) + 1;
        failures.push({ at: Date.now(), code });
        await sleep(RETRY_MS);
      } finally {
        await conn?.end().catch(() => undefined);
      }
    }
  };
  const all = Promise.all(Array.from({ length: workers }, (_, i) => worker(i + 1)));
  return {
    acked,
    async stop() {
      running = false;
      await all;
      return { acked, failed, failures };
    },
  };
}
