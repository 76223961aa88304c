import type { Driver } from '../drivers/driver.js';
import { HactlError } from '../errors.js';
import type { RedisFailoverAction } from '../plan/action.js';
import { redisCommand, type RespValue } from '../redis/client.js';
import { loadOrCreateSecrets } from '../secrets/store.js';
import { REDIS_MASTER_NAME, type Cluster, type StoreNode } from '../spec/model.js';
import { readRedisPrimary } from '../status/collect.js';
import { REDIS_BACKEND } from '../render/haproxy.js';
import { parseShowStat } from '../haproxy/stat.js';
import { pollUntil } from '../util/poll.js';
import { splitHostPort } from '../util/net.js';
import type { OpContext } from './context.js';

/** How long a failover asked for may take until lb-db sends sessions to the new primary (here: about 2 s). */
const FAILOVER_TIMEOUT_MS = 20_000;
/** Requests under way on the old primary finish within this, or their connections are closed. */
const DRAIN_TIMEOUT_MS = 2000;
/** A replica acknowledges its offset every second. */
const CATCH_UP_TIMEOUT_MS = 5000;
/** Sentinels ask the primary for its replicas every 10 s. */
const PROMOTABLE_TIMEOUT_MS = 15_000;

/** Log in to NODE (a Redis node or Sentinel of the cluster), where this runtime reaches it, and send COMMAND: its reply. */
function askNode(ctx: OpContext, node: StoreNode, command: string[]): Promise<RespValue> {
  const password = loadOrCreateSecrets(ctx.project.stateDir).redis_password.reveal();
  return ctx.driver
    .webAddress(node)
    .then(splitHostPort)
    .then(({ host, port }) => redisCommand(host, port, password, command));
}

/** Send COMMAND to each running Sentinel of CLUSTER (with FIRST: until one takes it): who took it and its reply, and who did not, with why. */
async function askSentinels(ctx: OpContext, cluster: Cluster, command: string[], first = false): Promise<{ asked: string[]; replies: RespValue[]; failed: string[] }> {
  const running = new Set((await ctx.driver.processes(cluster)).filter((p) => p.running).map((p) => p.name));
  const asked: string[] = [];
  const replies: RespValue[] = [];
  const failed: string[] = [];
  for (const s of cluster.sentinel.filter((n) => running.has(n.name))) {
    try {
      replies.push(await askNode(ctx, s, command));
      asked.push(s.name);
      if (first) break;
    } catch (err) {
      failed.push(`${s.name}: ${(err as Error).message}`);
    }
  }
  return { asked, replies, failed };
}

/**
 * Whether a Sentinel's SENTINEL REPLICAS reply lists a replica it would
 * promote: one whose flags say nothing is wrong with it. A Sentinel that
 * was just reset or started learns them from the primary within 10 s.
 */
export function promotable(reply: RespValue): boolean {
  if (!Array.isArray(reply)) return false;
  return reply.some((fields) => {
    if (!Array.isArray(fields)) return false;
    const flags = fields[fields.indexOf('flags') + 1];
    return fields.includes('flags') && flags === 'slave';
  });
}

/** Whether every replica the primary at HOST:PORT feeds has all it wrote (INFO replication's offsets). */
export function replicasCaughtUp(info: string): boolean {
  const offset = Number(/^master_repl_offset:(\d+)/m.exec(info)?.[1] ?? NaN);
  const replicas = [...info.matchAll(/^slave\d+:.*\boffset=(\d+)/gm)].map((m) => Number(m[1]));
  return replicas.length > 0 && replicas.every((r) => r >= offset);
}

/**
 * A replica becomes the primary in ACTION.from's place, losing no write:
 * lb-db stops sending it sessions first (the app waits for the new primary
 * meanwhile, as in any failover), its replicas take in its last writes,
 * then one Sentinel leads the failover; done once lb-db sends the
 * sessions to the new primary. Sentinel alone would leave the old primary
 * taking writes for ~10 s, until it turns it into a replica and those
 * writes are gone.
 */
export async function redisFailover(ctx: OpContext, cluster: Cluster, action: RedisFailoverAction): Promise<string> {
  const driver: Driver = ctx.driver;
  const server = `${REDIS_BACKEND}/${action.from}`;
  ctx.progress(action.from, 'waiting until the Sentinels know a replica to promote');
  let replicas: RespValue[] = [];
  const known = await pollUntil(async () => promotable((replicas = (await askSentinels(ctx, cluster, ['SENTINEL', 'REPLICAS', REDIS_MASTER_NAME], true)).replies)[0] ?? null), Date.now() + PROMOTABLE_TIMEOUT_MS, 250);
  if (!known) throw new HactlError(`the Sentinels know no replica they could promote in ${action.from}'s place, so it stays`, 1, [`SENTINEL REPLICAS: ${JSON.stringify(replicas[0] ?? 'no Sentinel answered')}`]);
  ctx.progress(action.from, 'out of lb-db while a replica takes in its last writes');
  await driver.balancerCommand('lb-db', `set server ${server} state maint`);
  try {
    const node = cluster.redis.find((n) => n.name === action.from)!;
    // Requests under way finish on it (their writes reach the replicas); new ones wait for the new primary.
    const idle = await pollUntil(async () => {
      const row = parseShowStat(await driver.balancerCommand('lb-db', 'show stat')).find((r) => r.pxname === REDIS_BACKEND && r.svname === action.from);
      return row !== undefined && Number(row.scur) === 0;
    }, Date.now() + DRAIN_TIMEOUT_MS, 20);
    if (!idle) await driver.balancerCommand('lb-db', `shutdown sessions server ${server}`);
    const caughtUp = await pollUntil(async () => replicasCaughtUp(String(await askNode(ctx, node, ['INFO', 'replication']))), Date.now() + CATCH_UP_TIMEOUT_MS, 20);
    if (!caughtUp) throw new HactlError(`the replicas of ${action.from} did not take in its last writes within ${CATCH_UP_TIMEOUT_MS / 1000} s, so it stays the primary`, 1, ['hactl logs NODE shows why']);
    ctx.progress(action.from, 'a replica becomes the Redis primary (SENTINEL FAILOVER)');
    // One Sentinel leads a failover: the first that takes the request.
    const asked = await askSentinels(ctx, cluster, ['SENTINEL', 'FAILOVER', REDIS_MASTER_NAME], true);
    if (asked.asked.length === 0) throw new HactlError(`no Sentinel would fail ${action.from} over, so it stays`, 1, asked.failed);
    let primary: string | null | undefined;
    const moved = await pollUntil(async () => typeof (primary = await readRedisPrimary(driver)) === 'string', Date.now() + FAILOVER_TIMEOUT_MS, 50);
    if (!moved) throw new HactlError(`after ${FAILOVER_TIMEOUT_MS / 1000} s lb-db sees no new Redis primary, so ${action.from} stays`, 1, ['hactl logs sentinel1 shows what the Sentinels did']);
    // The failover ends when every other replica follows the new primary. The Sentinels turn
    // those they know; one they have not learnt of yet would stay on the old primary: turned here.
    const former = ctx.runtime === 'compose' ? node.name : node.host;
    const promoted = cluster.redis.find((n) => n.name === primary)!;
    const others = cluster.redis.filter((n) => n.name !== action.from && n.name !== primary);
    for (const n of others) {
      const info = String(await askNode(ctx, n, ['INFO', 'replication']).catch(() => ''));
      if (replicatesFrom(info, former)) {
        ctx.progress(n.name, `the Sentinels did not know it yet: a replica of ${primary} now`);
        await askNode(ctx, n, ['REPLICAOF', ctx.runtime === 'compose' ? promoted.name : promoted.host, String(promoted.port)]);
      }
    }
    await waitRedisInSync(ctx, cluster, others.map((n) => n.name), FAILOVER_TIMEOUT_MS, former);
    return primary!;
  } catch (err) {
    await driver.balancerCommand('lb-db', `set server ${server} state ready`).catch(() => undefined);
    throw err;
  }
}

/** A flat SENTINEL MASTER reply ([name, value, …]) as a record. */
export function fields(reply: RespValue): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(reply)) for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1]);
  return out;
}


/** Whether a Redis node's INFO replication says it replicates from HOST. */
function replicatesFrom(info: string, host: string): boolean {
  return new RegExp(`^master_host:${host.replaceAll('.', '\\.')}\\r?$`, 'm').test(info);
}

/**
 * Whether a Redis node's INFO replication says it serves: the primary, or
 * a replica whose link to it is up (its first copy done), and not to
 * FORMER (how the nodes reach a primary that was just failed over).
 */
export function inSync(info: string, former?: string): boolean {
  if (/^role:master\r?$/m.test(info)) return true;
  if (former !== undefined && replicatesFrom(info, former)) return false;
  return /^master_link_status:up\r?$/m.test(info) && !/^master_sync_in_progress:1\r?$/m.test(info);
}

/**
 * Wait until the Redis nodes and Sentinels that STARTED serve: a replica
 * that just started copies the primary's data first, and until then it is
 * no replica to promote (a primary that died meanwhile would take what the
 * new one has not got yet); a Sentinel that just started must know the
 * other Sentinels and the replicas before a majority can promote one. Up
 * is done when they do.
 */
export async function waitRedisInSync(ctx: OpContext, cluster: Cluster, started: readonly string[], timeoutMs = 30_000, former?: string): Promise<void> {
  const nodes = cluster.redis.filter((n) => started.includes(n.name));
  const sentinels = cluster.sentinel.filter((n) => started.includes(n.name));
  if (nodes.length === 0 && sentinels.length === 0) return;
  const behind = async () => {
    const out: string[] = [];
    for (const n of nodes) if (!inSync(await askNode(ctx, n, ['INFO', 'replication']).then(String, (err: Error) => `error: ${err.message}`), former)) out.push(n.name);
    for (const s of sentinels) {
      const known = fields(await askNode(ctx, s, ['SENTINEL', 'MASTER', REDIS_MASTER_NAME]).catch(() => null));
      if (!(Number(known['num-other-sentinels']) >= cluster.sentinel.length - 1 && Number(known['num-slaves']) >= cluster.redis.length - 1)) out.push(s.name);
    }
    // A new replica the Sentinels have not learnt of yet (they ask the primary every 10 s) is one a failover would leave behind.
    if (nodes.length > 0) {
      for (const s of cluster.sentinel.filter((x) => !sentinels.includes(x))) {
        const known = fields(await askNode(ctx, s, ['SENTINEL', 'MASTER', REDIS_MASTER_NAME]).catch(() => null));
        if (known['num-slaves'] !== undefined && Number(known['num-slaves']) < cluster.redis.length - 1) out.push(`${s.name} (to learn of ${nodes.map((n) => n.name).join(', ')})`);
      }
    }
    return out;
  };
  let last = await behind();
  if (last.length === 0) return;
  ctx.progress('redis', `waiting until ${last.join(', ')} are in step with the Redis primary`);
  if (!(await pollUntil(async () => (last = await behind()).length === 0, Date.now() + timeoutMs, 100))) {
    throw new HactlError(`the cluster started, but after ${timeoutMs / 1000} s ${last.join(', ')} still do not follow the Redis primary`, 1, ['hactl logs NODE shows why']);
  }
}
