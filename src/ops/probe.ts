import type { RowDataPacket } from 'mysql2/promise';
import { driverFor } from '../drivers/select.js';
import { badInput } from '../errors.js';
import { loadOrCreateSecrets } from '../secrets/store.js';
import { STORE_TIERS, type Runtime } from '../spec/model.js';
import { httpGet, memcachedVersion } from '../util/probe.js';
import { splitHostPort } from '../util/net.js';
import { redisCommand } from '../redis/client.js';
import type { Runner } from '../util/runner.js';
import { openProject } from './open.js';
import type { Project } from './project.js';

export interface ProbeResult {
  node: string;
  ok: boolean;
  /** What was asked: a URL, a DB node's admin connection. */
  target: string;
  ms: number;
  detail: string;
}

interface ServerRow extends RowDataPacket {
  hostname: string;
  server_id: number;
  version: string;
}

/**
 * Test one node directly, not through its balancer: a web node's health
 * page over HTTP, a DB node's admin connection and a query. It says what
 * answered, and how fast.
 */
export async function probeNode(project: Project, name: string, options: { runtime?: Runtime | undefined }, runner: Runner): Promise<ProbeResult> {
  const { cluster, runtime } = await openProject(project, options.runtime, runner);
  const driver = await driverFor(runtime, project.stateDir, runner, cluster);
  const web = cluster.web.find((n) => n.name === name);
  const db = cluster.db.find((n) => n.name === name);
  const tier = STORE_TIERS.find((t) => cluster[t].some((n) => n.name === name));
  const store = tier && cluster[tier].find((n) => n.name === name);
  if (!web && !db && !store) {
    const names = [...cluster.web, ...cluster.db, ...STORE_TIERS.flatMap((t) => cluster[t])].map((n) => n.name);
    throw badInput(`there is no web, DB or session store node named ${JSON.stringify(name)}; this cluster has ${names.join(', ')}`);
  }
  const t0 = Date.now();
  const result = (ok: boolean, target: string, detail: string): ProbeResult => ({ node: name, ok, target, ms: Date.now() - t0, detail });
  if (store && tier) {
    let target = `${store.name}:${store.port}`;
    try {
      target = await driver.webAddress(store);
      const { host, port } = splitHostPort(target);
      if (tier === 'memcached') return result(true, `memcached ${target}`, `${await memcachedVersion(host, port)} answers`);
      const reply = await redisCommand(host, port, loadOrCreateSecrets(project.stateDir).redis_password.reveal(), ['ROLE']);
      const role = Array.isArray(reply) ? String(reply[0]) : String(reply);
      return result(true, `${tier} ${target}`, `answers with the cluster's password, role ${role === 'slave' ? 'replica' : role === 'master' ? 'primary' : role}`);
    } catch (err) {
      return result(false, `${tier} ${target}`, (err as Error).message);
    }
  }
  if (web) {
    let target = `${web.name}${cluster.health.path}`;
    try {
      target = `http://${await driver.webAddress(web)}${cluster.health.path}`;
      const { status, headers } = await httpGet(target);
      return result(status === 200, target, `HTTP ${status}${headers['x-served-by'] ? `, served by ${String(headers['x-served-by'])}` : ''}`);
    } catch (err) {
      return result(false, target, (err as Error).message);
    }
  }
  const target = `${name} (administrator connection)`;
  let conn;
  try {
    conn = await driver.dbRoot(name, loadOrCreateSecrets(project.stateDir));
    const [[row]] = await conn.query<ServerRow[]>('SELECT @@hostname AS hostname, @@server_id AS server_id, VERSION() AS version');
    return result(true, target, `MariaDB ${row?.version} answers (server id ${row?.server_id}, host ${row?.hostname})`);
  } catch (err) {
    return result(false, target, (err as Error).message);
  } finally {
    await conn?.end().catch(() => undefined);
  }
}
