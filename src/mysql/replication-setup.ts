import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Progress } from '../util/progress.js';
import { HactlError } from '../errors.js';
import type { Secrets } from '../secrets/store.js';
import type { Cluster, DbNode } from '../spec/model.js';
import { pollUntil } from '../util/poll.js';
import type { Runner } from '../util/runner.js';
import { bootstrapNode, connectMasters } from './bootstrap.js';
import { replicating, replicationConnections } from './replication-status.js';
import { cloneFromDonor, gtidByDomain, gtidReached, gtidVariable, type CloneCommands } from './clone.js';

/** What replication set-up needs from a runtime: the rest is the same everywhere. */
export interface DbAccess {
  connect(node: DbNode): Promise<Connection>;
  /** The address other masters reach NODE at. */
  hostOf(node: DbNode): string;
  /** Where lb-db's check logs in from, as MariaDB sees it. */
  checkFrom: string;
  clone(donor: DbNode, node: DbNode): { commands: CloneCommands; dumpFile: string; cleanup(): void };
}

const CATCH_UP_TIMEOUT_MS = 120_000;

/**
 * Users, database and master-master connections on every DB node; idempotent,
 * so every `up` runs it. FRESH names nodes whose data folder was made in this
 * run: when the others already hold data, each fresh node is first cloned
 * from one of them (a backup master if there is one, to spare the active
 * one), then replicates from every other master and catches up; only then
 * do the others replicate from it.
 */
export async function setUpReplication(
  cluster: Cluster,
  secrets: Secrets,
  fresh: ReadonlySet<string>,
  access: DbAccess,
  runner: Runner,
  progress: Progress,
): Promise<void> {
  progress('replication', 'users, database and master-master connections');
  const conns = new Map<string, Connection>();
  try {
    for (const node of cluster.db) conns.set(node.name, await access.connect(node));
    const conn = (n: DbNode) => conns.get(n.name)!;
    for (const node of cluster.db) await bootstrapNode(conn(node), cluster, secrets, access.checkFrom);
    const seeded = cluster.db.filter((n) => !fresh.has(n.name));
    const joining = seeded.length > 0 ? cluster.db.filter((n) => fresh.has(n.name)) : [];
    const masters = cluster.db.map((node) => ({ node, host: access.hostOf(node) }));
    for (const node of joining) {
      const donor = seeded.find((n) => n !== cluster.db[0]) ?? seeded[0]!;
      progress(node.name, `cloning ${cluster.database.name} from ${donor.name} at its GTID position`);
      const clone = access.clone(donor, node);
      try {
        await cloneFromDonor(runner, clone.commands, conn(node), clone.dumpFile);
      } finally {
        clone.cleanup();
      }
      await connectMasters(conn(node), node, masters, secrets);
      progress(node.name, 'catching up with every master');
      await waitCaughtUp(node, conn(node), seeded.map((m) => ({ node: m, conn: conn(m) })));
    }
    for (const node of cluster.db.filter((n) => !joining.includes(n))) await connectMasters(conn(node), node, masters, secrets);
  } finally {
    for (const c of conns.values()) await c.end().catch(() => undefined);
  }
}

/**
 * NODE has applied, from every master, at least what that master had
 * written (in its own domain) when we started waiting, and its replication
 * threads run. A broken connection fails at once with MariaDB's error.
 */
async function waitCaughtUp(node: DbNode, conn: Connection, masters: { node: DbNode; conn: Connection }[]): Promise<void> {
  const targets: string[] = [];
  for (const m of masters) {
    const own = gtidByDomain(await gtidVariable(m.conn, 'gtid_binlog_pos')).get(m.node.id);
    if (own !== undefined) targets.push(`${m.node.id}-${m.node.id}-${own}`);
  }
  const target = targets.join(',');
  const caughtUp = await pollUntil(async () => {
    const links = (await replicationConnections(conn)).filter((c) => masters.some((m) => m.node.name === c.from));
    const broken = links.find((c) => c.sqlError || (c.sqlRunning !== 'Yes' && c.ioError));
    if (broken) throw new HactlError(`${node.name} cannot replicate from ${broken.from}: ${broken.sqlError || broken.ioError}`);
    const running = links.length === masters.length && links.every(replicating);
    return running && gtidReached(await gtidVariable(conn, 'gtid_slave_pos'), target);
  }, Date.now() + CATCH_UP_TIMEOUT_MS, 100);
  if (!caughtUp) throw new HactlError(`${node.name} did not catch up with ${target} within ${CATCH_UP_TIMEOUT_MS / 1000} s`);
}

interface CountRow extends RowDataPacket {
  n: number;
}

/**
 * Take LEAVING out of the master-master set once lb-db no longer sends it
 * anything: wait for the app's last connections to it to end, let every
 * remaining master apply all it wrote, then drop their connections from it.
 */
export async function detachMaster(
  name: string,
  leaving: { node: DbNode; conn: Connection } | undefined,
  remaining: { node: DbNode; conn: Connection }[],
  appUser: string,
  progress: Progress,
): Promise<void> {
  if (leaving) {
    await pollUntil(async () => {
      const [[row]] = await leaving.conn.query<CountRow[]>('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ?', [appUser]);
      return Number(row?.n ?? 0) === 0;
    }, Date.now() + 10_000, 100);
    progress(leaving.node.name, 'waiting until every other master has applied its last writes');
    for (const m of remaining) await waitCaughtUp(m.node, m.conn, [leaving]);
  }
  // A node that is down may still have a (stopped) connection on the others.
  for (const m of remaining) {
    await m.conn.query('STOP SLAVE ?', [name]).catch(() => undefined);
    await m.conn.query('RESET SLAVE ? ALL', [name]).catch(() => undefined);
  }
}

/**
 * Rebuild NODE (a backup master that diverged or fell too far behind) from
 * DONOR (the active one) while the cluster serves: its replication stopped
 * and forgotten, the app's database dropped (not binlogged), the clone that
 * add db makes loaded at DONOR's GTID position, then connected again with
 * every other master and caught up. What the others replicate from NODE is
 * left as it is. Returns the position it was cloned at.
 */
export async function resyncMaster(cluster: Cluster, secrets: Secrets, node: DbNode, donor: DbNode, access: DbAccess, runner: Runner, progress: Progress): Promise<string> {
  const conns = new Map<string, Connection>();
  try {
    for (const n of cluster.db) conns.set(n.name, await access.connect(n));
    const conn = conns.get(node.name)!;
    progress(node.name, 'stopping its replication and dropping its copy of the app database');
    await conn.query('STOP ALL SLAVES');
    for (const link of await replicationConnections(conn)) await conn.query('RESET SLAVE ? ALL', [link.from]);
    await conn.query('SET SESSION sql_log_bin = 0');
    // A validated SQL identifier (no backquote can occur).
    await conn.query(`DROP DATABASE IF EXISTS \`${cluster.database.name}\``);
    progress(node.name, `cloning ${cluster.database.name} from ${donor.name} at its GTID position`);
    const clone = access.clone(donor, node);
    let position: string;
    try {
      position = await cloneFromDonor(runner, clone.commands, conn, clone.dumpFile);
    } finally {
      clone.cleanup();
    }
    const masters = cluster.db.map((n) => ({ node: n, host: access.hostOf(n) }));
    await connectMasters(conn, node, masters, secrets);
    progress(node.name, 'catching up with every master');
    await waitCaughtUp(node, conn, cluster.db.filter((n) => n.name !== node.name).map((n) => ({ node: n, conn: conns.get(n.name)! })));
    return position;
  } finally {
    for (const c of conns.values()) await c.end().catch(() => undefined);
  }
}
