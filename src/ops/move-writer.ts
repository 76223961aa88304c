import type { Connection } from 'mysql2/promise';
import { HactlError } from '../errors.js';
import { parseWriterEntry, SHOW_WRITER, writerCommands } from '../haproxy/writer-entry.js';
import { makeReadOnly, makeWritable, waitApplied } from '../mysql/switchover.js';
import type { MoveWriterAction } from '../plan/action.js';
import { loadOrCreateSecrets } from '../secrets/store.js';
import type { Cluster } from '../spec/model.js';
import { connectAddress } from '../util/net.js';
import { pollUntil } from '../util/poll.js';
import { tcpGreets } from '../util/probe.js';
import type { OpContext } from './context.js';

/** A writer move, as it went: how long no master took writes. */
export interface WriterMove {
  from: string | null;
  to: string;
  pause_ms: number;
}

/** How long the new writer may take to apply what the old one wrote last. */
const APPLY_TIMEOUT_MS = 10_000;

/**
 * Carry out a move-writer action. The masters other than TO leave lb-db's
 * pick first: the agents then take the writer for none, so none of them
 * makes a master writable while this runs. FROM turns read-only (writes
 * pause), TO applies all FROM wrote, lb-db forgets FROM and ends its
 * connections, TO turns writable (writes resume) and the next connection
 * names it in lb-db's entry. If a step fails before lb-db moved, FROM is
 * made writable again: nothing changed but a pause.
 */
export async function moveWriter(ctx: OpContext, cluster: Cluster, action: MoveWriterAction): Promise<WriterMove> {
  const secrets = loadOrCreateSecrets(ctx.project.stateDir);
  const lb = (command: string) => ctx.driver.balancerCommand('lb-db', command);
  const conns: Connection[] = [];
  const open = async (name: string) => {
    const conn = await ctx.driver.dbRoot(name, secrets);
    conns.push(conn);
    return conn;
  };
  const drained: string[] = [];
  let moved = false;
  let from: Connection | undefined;
  try {
    const to = await open(action.to);
    from = action.from ? await open(action.from) : undefined;
    for (const other of action.others) {
      await lb(writerCommands.drain(other));
      drained.push(other);
    }
    const paused = Date.now();
    if (from) {
      ctx.progress(action.from!, 'read-only: writes pause');
      const pos = await makeReadOnly(from);
      ctx.progress(action.to, `applying all ${action.from} wrote (${pos || 'nothing'})`);
      await waitApplied(action.to, to, pos, APPLY_TIMEOUT_MS);
    }
    await lb(writerCommands.forget);
    moved = true;
    if (action.from) await lb(writerCommands.endSessions(action.from));
    await makeWritable(to);
    const pause = Date.now() - paused;
    ctx.progress(action.to, `writable: writes resume (paused ${pause} ms)`);
    await nameWriter(ctx, cluster, lb, action.to);
    return { from: action.from, to: action.to, pause_ms: pause };
  } catch (err) {
    if (from && !moved) await makeWritable(from).catch(() => undefined);
    throw err;
  } finally {
    for (const other of drained) await lb(writerCommands.ready(other)).catch(() => undefined);
    for (const c of conns) await c.end().catch(() => undefined);
  }
}

/**
 * lb-db names a writer at the first connection through it: one of hactl's
 * own, so that it is TO (the only master in its pick now) and not whoever
 * connects once the others are back in it.
 */
async function nameWriter(ctx: OpContext, cluster: Cluster, lb: (command: string) => Promise<string>, to: string): Promise<void> {
  const host = connectAddress(cluster.listen);
  const named = await pollUntil(async () => {
    const entry = parseWriterEntry(await lb(SHOW_WRITER));
    if (entry === to) return true;
    await tcpGreets(host, cluster.ports.db);
    return false;
  }, Date.now() + 5_000, 50);
  if (!named) throw new HactlError(`lb-db did not take ${to} as the writer (hactl status shows what it has)`);
}
