import type { Connection } from 'mysql2/promise';
import { HactlError } from '../errors.js';
import { pollUntil } from '../util/poll.js';
import { gtidReached, gtidVariable } from './clone.js';

/**
 * The DB side of moving the writer. read_only holds the app's and the
 * check's users (no privilege of theirs bypasses it); replication and root
 * go on.
 */

/** No more writes on it: waits at most 2 s for a transaction that holds a lock (the app's). */
export async function makeReadOnly(conn: Connection): Promise<string> {
  await conn.query('SET SESSION lock_wait_timeout = 2');
  await conn.query('SET GLOBAL read_only = ON');
  // All it will ever have written, now that nothing more can be.
  return gtidVariable(conn, 'gtid_binlog_pos');
}

export async function makeWritable(conn: Connection): Promise<void> {
  await conn.query('SET GLOBAL read_only = OFF');
}

/**
 * Until NODE holds every transaction up to POS (a GTID position), at most
 * TIMEOUT_MS: its gtid_current_pos (what it applied from each master, and
 * its own writes) has reached POS in every domain.
 */
export async function waitApplied(node: string, conn: Connection, pos: string, timeoutMs: number): Promise<void> {
  const reached = await pollUntil(async () => gtidReached(await gtidVariable(conn, 'gtid_current_pos'), pos), Date.now() + timeoutMs, 10);
  if (!reached) throw new HactlError(`${node} did not apply ${pos} within ${timeoutMs / 1000} s`);
}
