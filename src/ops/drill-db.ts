import type { Connection, RowDataPacket } from 'mysql2/promise';
import { longestPause, twoWriters, writerRuns, writesBefore } from '../drill/db-summary.js';
import { steadyWrites, type Ack, type WriteLoad } from '../drill/db-writes.js';
import type { Progress } from '../drivers/driver.js';
import { badInput, HactlError } from '../errors.js';
import { gtidReached, gtidVariable } from '../mysql/clone.js';
import { replicationConnections, replicating } from '../mysql/replication-status.js';
import { loadOrCreateSecrets, type Secrets } from '../secrets/store.js';
import { loadClusterFile } from '../spec/load.js';
import type { Cluster } from '../spec/model.js';
import { collectStatus } from '../status/collect.js';
import { conditionOf } from '../status/model.js';
import { connectAddress } from '../util/net.js';
import { pollUntil, sleep } from '../util/poll.js';
import type { Runner } from '../util/runner.js';
import { openContext, type OpContext, type OpOptions } from './context.js';
import { switchover } from './db-ops.js';
import type { Project } from './project.js';
import { up } from './up.js';

/**
 * hactl drill db: steady writes through lb-db (fresh connections, four at a
 * time, as PHP requests make them), kill -9 of the active master, the
 * writes' pause and losses, the old master brought back and timed until it
 * has caught up (and whether it took a write before), then the writer moved
 * back by a switchover under the same writes, and every master's tables
 * compared. The cluster ends as it began: every node up, the same writer.
 * Like drill sessions, it takes no lock of its own: each step (up,
 * switchover) takes the cluster's lock as a person's command would.
 */

export interface DbDrillOptions extends OpOptions {
  /** Hold the old master's replay back this long once it is back (its copy of the drill's table locked), writes going on: a master behind on purpose. */
  holdBehindMs?: number;
  /** Writes before the kill, and after each step, this long. */
  settleMs?: number;
  signal?: AbortSignal;
}

export interface DbDrillReport {
  runtime: string;
  failback: string;
  /** The master killed: the writer when the drill began. */
  killed: string;
  /** The master that took the writes after the kill. */
  took_over: string | null;
  write_outage_ms: number;
  failed_writes: number;
  acknowledged_writes: number;
  /** Acknowledged writes that some master does not hold at the end. */
  lost_writes: number;
  /** Two masters took writes in the same window (the writes went back and forth). */
  two_masters_at_once: boolean;
  /** Who took the writes, in order. */
  writers: string[];
  /** From the old master's start until it held all the writer had written. */
  catch_up_ms: number | null;
  held_behind_ms: number;
  /** Writes the old master took before it had caught up: 0 is the rule. */
  writes_before_caught_up: number;
  /** The switchover back, and the writes that failed from its start on, by error code. */
  switchover: { to: string; pause_ms: number; client_gap_ms: number; failed_writes: number; failed_by: Record<string, number>; lost_writes: number } | null;
  /** Every master's tables of the app's database have the same checksums. */
  identical: boolean;
  checksums: Record<string, Record<string, number | null>>;
}

/** The drill's own table, in the app's database; dropped at the end. */
const TABLE = 'hactl_drill';

export async function drillDb(project: Project, options: DbDrillOptions, runner: Runner, progress: Progress): Promise<DbDrillReport> {
  const cluster = loadClusterFile(project.file).cluster;
  if (cluster.db.length < 2) throw badInput(`the drill kills the active master, so it needs a second one to take over; cluster.yaml has ${cluster.db.length} (hactl add db mysql2)`);
  const ctx = await openContext(project, { runtime: options.runtime }, runner, progress);
  const secrets = loadOrCreateSecrets(project.stateDir);
  const killed = await requireWriter(ctx, cluster, secrets);
  const settle = options.settleMs ?? 2000;
  const step = (what: string) => {
    if (options.signal?.aborted) throw new HactlError('interrupted (Ctrl-C)');
    progress('drill db', what);
  };
  const app = appConnection(cluster, secrets);
  await withConnection(app, (c) => c.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (id BIGINT AUTO_INCREMENT PRIMARY KEY, worker INT, at DATETIME(6))`));

  let load: WriteLoad | undefined = steadyWrites(app, TABLE);
  let report: DbDrillReport | undefined;
  try {
    await sleep(settle);
    step(`killing ${killed}, the active master, under steady writes`);
    const killedAt = Date.now();
    await ctx.driver.kill(killed);
    // Writes it acknowledged until it was dead (docker kill takes a moment) were its own, as writer.
    const deadAt = Date.now();
    const tookOver = await pollUntil(() => load!.acked.find((a) => a.at > killedAt && a.node !== killed)?.node, Date.now() + 15_000, 20);
    if (!tookOver) throw new HactlError(`no master took the writes within 15 s of ${killed}'s death`);
    await sleep(settle);

    step(`bringing ${killed} back (hactl up)`);
    const back = await bringBack(ctx, project, cluster, secrets, killed, tookOver, options);
    await sleep(settle);

    if (cluster.database.failback === 'auto' && killed === cluster.db[0]!.name) {
      step(`waiting for ${killed}'s agent to take the writes back (failback: auto)`);
      await pollUntil(async () => (await currentWriter(ctx, cluster, secrets)) === killed, Date.now() + 20_000, 200);
    }
    const acksBeforeSwitch = load.acked.length;
    const writer = (await currentWriter(ctx, cluster, secrets)) ?? tookOver;
    let moved: { to: string; pause_ms: number; from: number; until: number } | null = null;
    if (writer !== killed) {
      step(`switching the writes back to ${killed} (hactl switchover)`);
      const from = Date.now();
      const r = await switchover(project, killed, { runtime: options.runtime }, runner, progress);
      if ('dry_run' in r) throw new Error('unreachable: not a dry run');
      moved = { to: killed, pause_ms: r.pause_ms, from, until: Date.now() };
      await sleep(settle);
    }
    const run = await load.stop();
    load = undefined;

    step('waiting until every master holds the same transactions, then comparing them');
    await converged(ctx, cluster, secrets);
    const missing = await lostWrites(ctx, cluster, secrets, run.acked);
    const checksums = await tableChecksums(ctx, cluster, secrets);
    const sums = Object.values(checksums).map((c) => JSON.stringify(c));
    const kill = { from: killedAt, to: back.startedAt ?? Date.now() };
    report = {
      runtime: ctx.runtime,
      failback: cluster.database.failback,
      killed,
      took_over: tookOver,
      write_outage_ms: longestPause(run.acked, kill.from - 200, kill.to),
      failed_writes: run.failures.filter((f) => f.at >= kill.from - 200 && f.at <= kill.to).length,
      acknowledged_writes: run.acked.length,
      lost_writes: missing.size,
      // The kill moves the writes once, a failback (auto) and the switchover each once more.
      two_masters_at_once: twoWriters(run.acked, 1 + (cluster.database.failback === 'auto' ? 1 : 0) + (moved ? 1 : 0)),
      writers: writerRuns(run.acked),
      catch_up_ms: back.caughtUpAt && back.startedAt ? back.caughtUpAt - back.startedAt : null,
      held_behind_ms: options.holdBehindMs ?? 0,
      writes_before_caught_up: writesBefore(run.acked, killed, deadAt, back.caughtUpAt ?? Number.POSITIVE_INFINITY),
      switchover: moved && {
        to: moved.to,
        pause_ms: moved.pause_ms,
        // As the writing clients saw it: from the command's start until it returned.
        client_gap_ms: longestPause(run.acked, moved.from, moved.until),
        failed_writes: run.failures.filter((f) => f.at >= moved!.from).length,
        failed_by: countBy(run.failures.filter((f) => f.at >= moved!.from).map((f) => f.code)),
        lost_writes: run.acked.slice(acksBeforeSwitch).filter((a) => missing.has(a.id)).length,
      },
      identical: sums.every((s) => s === sums[0]),
      checksums,
    };
  } finally {
    await load?.stop();
    // Whatever happened: every node up again, the drill's table gone.
    await up(project, { runtime: options.runtime }, runner, progress).catch(() => undefined);
    await withConnection(app, (c) => c.query(`DROP TABLE IF EXISTS ${TABLE}`)).catch(() => undefined);
  }
  return report;
}

/** The drill starts from a DB tier where every master is up, replicating and the writer known. */
async function requireWriter(ctx: OpContext, cluster: Cluster, secrets: Secrets): Promise<string> {
  const status = await collectStatus(cluster, ctx.runtime, ctx.driver, secrets);
  const db = status.nodes.flatMap((n) => (n.type === 'db' ? [n] : []));
  const wrong = db.filter((n) => conditionOf(n.status) !== 'up' || n.replication_summary !== 'Synced').map((n) => `${n.name}: ${n.reason ?? n.status}, replication ${n.replication_summary}`);
  if (wrong.length > 0) throw new HactlError('the drill kills the active master, so it starts only from a DB tier where every master is up and in sync (hactl status; hactl up)', undefined, wrong);
  const writer = db.find((n) => n.role === 'active');
  if (!writer) throw new HactlError('lb-db names no writer (hactl up names one)');
  return writer.name;
}

async function currentWriter(ctx: OpContext, cluster: Cluster, secrets: Secrets): Promise<string | undefined> {
  return (await collectStatus(cluster, ctx.runtime, ctx.driver, secrets)).nodes.find((n) => n.type === 'db' && n.role === 'active')?.name;
}

/**
 * `hactl up` starts the old master again; meanwhile it is watched: when it
 * answers (its start), and when it holds all the writer has written at
 * that moment and replicates (caught up). With HOLD, its replay is held
 * back that long from the moment it answers, writes going on.
 */
async function bringBack(ctx: OpContext, project: Project, cluster: Cluster, secrets: Secrets, node: string, writer: string, options: DbDrillOptions): Promise<{ startedAt?: number; caughtUpAt?: number }> {
  const times: { startedAt?: number; caughtUpAt?: number } = {};
  const started = up(project, { runtime: options.runtime }, ctx.runner, ctx.progress);
  let done = false;
  const watch = (async () => {
    let conn: Connection | undefined;
    let writerConn: Connection | undefined;
    try {
      conn = await pollUntil(() => ctx.driver.dbRoot(node, secrets).catch(() => undefined), Date.now() + 60_000, 50);
      if (!conn) return;
      times.startedAt = Date.now();
      writerConn = await ctx.driver.dbRoot(writer, secrets);
      const running = async () => {
        const links = await replicationConnections(conn!);
        return links.length === cluster.db.length - 1 && links.every(replicating);
      };
      if (options.holdBehindMs) {
        // From the moment it answers, before replication starts: the drill's table
        // locked on it, so its SQL threads wait on the first write they replay while
        // its IO threads fetch what the writer takes meanwhile.
        ctx.progress('drill db', `holding ${node} behind for ${options.holdBehindMs} ms (the drill's table locked on it, writes going on)`);
        await conn.query(`LOCK TABLES \`${cluster.database.name}\`.${TABLE} WRITE`);
        await sleep(options.holdBehindMs);
        await conn.query('UNLOCK TABLES');
      }
      await pollUntil(async () => {
        if (done && times.caughtUpAt) return true;
        const target = await gtidVariable(writerConn!, 'gtid_binlog_pos');
        return (await running()) && gtidReached(await gtidVariable(conn!, 'gtid_current_pos'), target) ? (times.caughtUpAt = Date.now()) : false;
      }, Date.now() + 120_000, 20);
    } finally {
      await conn?.end().catch(() => undefined);
      await writerConn?.end().catch(() => undefined);
    }
  })();
  try {
    await started;
  } finally {
    done = true;
    await watch;
  }
  return times;
}

/** Until every master has the same gtid_current_pos, 30 s at most. */
async function converged(ctx: OpContext, cluster: Cluster, secrets: Secrets): Promise<void> {
  const conns = await Promise.all(cluster.db.map((n) => ctx.driver.dbRoot(n.name, secrets)));
  try {
    const same = await pollUntil(async () => {
      const pos = await Promise.all(conns.map((c) => gtidVariable(c, 'gtid_current_pos')));
      return pos.every((p) => gtidReached(p, pos[0]!) && gtidReached(pos[0]!, p));
    }, Date.now() + 30_000, 100);
    if (!same) throw new HactlError('the masters did not converge within 30 s (hactl status shows their replication)');
  } finally {
    for (const c of conns) await c.end().catch(() => undefined);
  }
}

/** The acknowledged writes that at least one master does not hold. */
async function lostWrites(ctx: OpContext, cluster: Cluster, secrets: Secrets, acked: readonly Ack[]): Promise<Set<number>> {
  const missing = new Set<number>();
  for (const n of cluster.db) {
    const conn = await ctx.driver.dbRoot(n.name, secrets);
    try {
      const [rows] = await conn.query<RowDataPacket[]>(`SELECT id FROM \`${cluster.database.name}\`.${TABLE}`);
      const held = new Set(rows.map((r) => Number(r.id)));
      for (const a of acked) if (!held.has(a.id)) missing.add(a.id);
    } finally {
      await conn.end().catch(() => undefined);
    }
  }
  return missing;
}

/** CHECKSUM TABLE of every table of the app's database, per master. */
async function tableChecksums(ctx: OpContext, cluster: Cluster, secrets: Secrets): Promise<Record<string, Record<string, number | null>>> {
  const out: Record<string, Record<string, number | null>> = {};
  for (const n of cluster.db) {
    const conn = await ctx.driver.dbRoot(n.name, secrets);
    try {
      const [tables] = await conn.query<RowDataPacket[]>('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [cluster.database.name]);
      const names = tables.map((r) => `\`${cluster.database.name}\`.\`${String(r.t)}\``);
      const [sums] = names.length > 0 ? await conn.query<RowDataPacket[]>(`CHECKSUM TABLE ${names.join(', ')}`) : [[] as RowDataPacket[]];
      out[n.name] = Object.fromEntries(sums.map((r) => [String(r.Table).split('.').pop()!, r.Checksum === null ? null : Number(r.Checksum)]));
    } finally {
      await conn.end().catch(() => undefined);
    }
  }
  return out;
}

function countBy(codes: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of codes) out[c] = (out[c] ?? 0) + 1;
  return out;
}

/** The app's own login through lb-db, as its PHP pages connect. */
function appConnection(cluster: Cluster, secrets: Secrets): () => Promise<Connection> {
  return async () => {
    const { default: mysql } = await import('mysql2/promise');
    return mysql.createConnection({
      host: connectAddress(cluster.listen),
      port: cluster.ports.db,
      user: cluster.database.user,
      password: secrets.app_password.reveal(),
      database: cluster.database.name,
      connectTimeout: 2000,
    });
  };
}

async function withConnection<T>(connect: () => Promise<Connection>, fn: (c: Connection) => Promise<T>): Promise<T> {
  const c = await connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}
