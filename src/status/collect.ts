import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Driver } from '../drivers/driver.js';
import { lbWebClient, type LbWebClient, type WebMember } from '../lb-web/index.js';
import { parseShowStat, type StatRow } from '../haproxy/stat.js';
import { replicationConnections } from '../mysql/replication-status.js';
import { endpointsOf, nodeHost } from '../spec/endpoints.js';
import type { Secrets } from '../secrets/store.js';
import { STORE_TIERS, type Cluster, type ConcreteRuntime } from '../spec/model.js';
import { REDIS_BACKEND } from '../render/haproxy.js';
import type { BalancerStatus, ClusterStatus, DbNodeStatus, ReplicationLink, StoreNodeStatus, WebNodeStatus } from './model.js';
import { processIds } from './processes.js';
import { activeMaster, agentReason, checkText, overallHealth, serverStatus, summarizeReplication } from './summarize.js';
import { parseAgentState } from './db-agent.js';
import { parseWriterEntry, SHOW_WRITER } from '../haproxy/writer-entry.js';

async function stat(driver: Driver, running: boolean): Promise<Map<string, StatRow>> {
  if (!running) return new Map();
  try {
    const rows = parseShowStat(await driver.balancerCommand('lb-db', 'show stat'));
    return new Map(rows.filter((r) => r.type === '2').map((r) => [r.svname!, r]));
  } catch {
    return new Map();
  }
}

/** lb-db's writer entry: a master's name, null (none yet), undefined (lb-db does not say now). */
export async function readWriterEntry(driver: Driver): Promise<string | null | undefined> {
  try {
    return parseWriterEntry(await driver.balancerCommand('lb-db', SHOW_WRITER));
  } catch {
    return undefined;
  }
}

/** The Redis node lb-db sends sessions to: its backend's one server UP; null when none is, undefined when lb-db does not say. */
export async function readRedisPrimary(driver: Driver): Promise<string | null | undefined> {
  try {
    const rows = parseShowStat(await driver.balancerCommand('lb-db', 'show stat'));
    return rows.find((r) => r.type === '2' && r.pxname === REDIS_BACKEND && serverStatus(r) === 'UP')?.svname ?? null;
  } catch {
    return undefined;
  }
}

async function members(lbWeb: LbWebClient, running: boolean): Promise<Map<string, WebMember>> {
  if (!running) return new Map();
  try {
    return new Map(((await lbWeb.members()) ?? []).map((m) => [m.name, m]));
  } catch {
    return new Map();
  }
}


export interface NodeReplication {
  links: ReplicationLink[];
  gtid: string;
  readOnly: boolean;
}

/** Replication as one DB node sees it, through an open administrator connection. */
export async function readReplication(conn: Connection): Promise<NodeReplication> {
  const connections = await replicationConnections(conn);
  const [[pos]] = await conn.query<RowDataPacket[]>('SELECT @@gtid_current_pos AS pos, @@read_only AS ro');
  return {
    gtid: String(pos?.pos ?? ''),
    readOnly: Number(pos?.ro) === 1,
    links: connections.map((c) => ({
      from: c.from,
      io_running: c.ioRunning,
      sql_running: c.sqlRunning,
      seconds_behind: c.secondsBehind,
      gtid_io_pos: c.gtidIoPos,
      last_error: c.sqlError || c.ioError,
    })),
  };
}

/** Where a snapshot gets a DB node's replication; undefined when it cannot be asked. */
export type ReplicationSource = (name: string) => Promise<NodeReplication | undefined>;

/** A connection of its own for each question: right for a command that asks once. */
export function oneShotReplication(driver: Driver, secrets: Secrets): ReplicationSource {
  return async (name) => {
    let conn;
    try {
      conn = await driver.dbRoot(name, secrets);
      return await readReplication(conn);
    } catch {
      return undefined;
    } finally {
      await conn?.end().catch(() => undefined);
    }
  };
}

/** One snapshot: the processes, lb-web's and lb-db's view of each node, replication. */
export async function collectStatus(
  cluster: Cluster,
  runtime: ConcreteRuntime,
  driver: Driver,
  secrets: Secrets,
  replication: ReplicationSource = oneShotReplication(driver, secrets),
): Promise<ClusterStatus> {
  const processes = new Map((await driver.processes(cluster)).map((p) => [p.name, p]));
  const running = (name: string) => (processes.get(name)?.running ? 'running' : 'stopped') as 'running' | 'stopped';
  const [webMembers, dbStat, repl, entry, agentFiles] = await Promise.all([
    members(lbWebClient(driver, cluster, secrets), running('lb-web') === 'running'),
    stat(driver, running('lb-db') === 'running'),
    Promise.all(cluster.db.map((n) => (running(n.name) === 'running' ? replication(n.name) : Promise.resolve(undefined)))),
    running('lb-db') === 'running' ? readWriterEntry(driver) : undefined,
    Promise.all(cluster.db.map((n) => driver.dbAgentState(n.name))),
  ]);
  const nowS = Math.floor(Date.now() / 1000);
  const dbStatus = cluster.db.map((n) => serverStatus(dbStat.get(n.name)));
  const active = activeMaster(cluster.db.map((n, i) => ({ name: n.name, status: dbStatus[i]! })), entry);
  const web: WebNodeStatus[] = cluster.web.map((n) => {
    const m = webMembers.get(n.name);
    return {
      type: 'web',
      name: n.name,
      address: nodeHost(n, runtime),
      port: n.port,
      status: m ? m.status : running(n.name) === 'running' ? 'UNKNOWN' : 'STOPPED',
      flags: m?.flags ?? null,
      process: running(n.name),
      check: m?.check ?? '',
      since_change_s: m?.sinceChangeS ?? null,
      sessions: m?.sessions ?? null,
      weight: m?.weight ?? null,
      ...processIds(processes.get(n.name)),
    };
  });
  const db: DbNodeStatus[] = cluster.db.map((n, i) => {
    const row = dbStat.get(n.name);
    const r = repl[i];
    const status = row ? dbStatus[i]! : running(n.name) === 'running' ? 'UNKNOWN' : 'STOPPED';
    const agent = running(n.name) === 'running' ? parseAgentState(agentFiles[i], nowS) : null;
    return {
      type: 'db',
      name: n.name,
      address: nodeHost(n, runtime),
      port: n.port,
      role: n.name === active ? 'active' : 'backup',
      status,
      reason: agentReason(agent, running(n.name) === 'running'),
      agent,
      read_only: r?.readOnly ?? null,
      process: running(n.name),
      check: checkText(row),
      gtid_current_pos: r?.gtid ?? null,
      replication: r?.links ?? [],
      replication_summary: summarizeReplication(r?.links),
      ...processIds(processes.get(n.name)),
    };
  });
  const stores: StoreNodeStatus[] = STORE_TIERS.flatMap((tier) =>
    cluster[tier].map((n): StoreNodeStatus => {
      const row = dbStat.get(n.name);
      return {
        type: 'store',
        store: tier,
        name: n.name,
        address: nodeHost(n, runtime),
        port: n.port,
        status: running(n.name) === 'running' ? 'UP' : 'STOPPED',
        process: running(n.name),
        // lb-db's check passes the primary alone.
        ...(tier === 'redis' ? { role: running(n.name) !== 'running' || !row ? null : serverStatus(row) === 'UP' ? 'primary' : 'replica' } : {}),
        ...processIds(processes.get(n.name)),
      };
    }),
  );
  const balancers: BalancerStatus[] = (['lb-web', 'lb-db'] as const).map((name) => ({ type: 'lb', name, process: running(name), ...processIds(processes.get(name)) }));
  const health = overallHealth(web, db, balancers, stores.filter((n) => n.store === cluster.sessionMode || (cluster.sessionMode === 'redis' && n.store === 'sentinel')));
  return {
    cluster: cluster.name,
    runtime,
    engine: cluster.balancer.engine,
    health: health.health,
    health_reasons: health.reasons,
    endpoints: endpointsOf(cluster),
    // Read from the project's files by whoever knows them (src/ops/status.ts).
    tls: null,
    nodes: [...web, ...db],
    stores,
    balancers,
  };
}
