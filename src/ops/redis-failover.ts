import type { Driver } from '../drivers/driver.js';
import { HactlError } from '../errors.js';
import type { RedisFailoverAction } from '../plan/action.js';
import { redisCommand, type RespValue } from '../redis/client.js';
import { loadOrCreateSecrets } from '../secrets/store.js';
import { REDIS_MASTER_NAME, type Cluster } from '../spec/model.js';
import { readRedisPrimary } from '../status/collect.js';
import { REDIS_BACKEND } from '../render/haproxy.js';
import { pollUntil } from '../util/poll.js';
import { splitHostPort } from '../util/net.js';
import type { OpContext } from './context.js';

/** How long a failover asked for may take until lb-db sends sessions to the new primary (here: about 2 s). */
const FAILOVER_TIMEOUT_MS = 20_000;
/** Sentinels ask the primary for its replicas every 10 s. */
const PROMOTABLE_TIMEOUT_MS = 15_000;

/** Send COMMAND to each running Sentinel of CLUSTER (with FIRST: until one takes it): who took it and its reply, and who did not, with why. */
async function askSentinels(ctx: OpContext, cluster: Cluster, command: string[], first = false): Promise<{ asked: string[]; replies: RespValue[]; failed: string[] }> {
  const password = loadOrCreateSecrets(ctx.project.stateDir).redis_password.reveal();
  const running = new Set((await ctx.driver.processes(cluster)).filter((p) => p.running).map((p) => p.name));
  const asked: string[] = [];
  const replies: RespValue[] = [];
  const failed: string[] = [];
  for (const s of cluster.sentinel.filter((n) => running.has(n.name))) {
    try {
      const { host, port } = splitHostPort(await ctx.driver.webAddress(s));
      replies.push(await redisCommand(host, port, password, command));
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
    const password = loadOrCreateSecrets(ctx.project.stateDir).redis_password.reveal();
    const { host, port } = splitHostPort(await ctx.driver.webAddress(node));
    await pollUntil(async () => replicasCaughtUp(String(await redisCommand(host, port, password, ['INFO', 'replication']))), Date.now() + 2000, 20);
    ctx.progress(action.from, 'a replica becomes the Redis primary (SENTINEL FAILOVER)');
    // One Sentinel leads a failover: the first that takes the request.
    const asked = await askSentinels(ctx, cluster, ['SENTINEL', 'FAILOVER', REDIS_MASTER_NAME], true);
    if (asked.asked.length === 0) throw new HactlError(`no Sentinel would fail ${action.from} over, so it stays`, 1, asked.failed);
    let primary: string | null | undefined;
    const moved = await pollUntil(async () => typeof (primary = await readRedisPrimary(driver)) === 'string', Date.now() + FAILOVER_TIMEOUT_MS, 50);
    if (!moved) throw new HactlError(`after ${FAILOVER_TIMEOUT_MS / 1000} s lb-db sees no new Redis primary, so ${action.from} stays`, 1, ['hactl logs sentinel1 shows what the Sentinels did']);
    return primary!;
  } catch (err) {
    await driver.balancerCommand('lb-db', `set server ${server} state ready`).catch(() => undefined);
    throw err;
  }
}

/** Every running Sentinel forgets the Redis nodes that left; they learn the others again from the primary within seconds. */
export async function resetSentinels(ctx: OpContext, cluster: Cluster): Promise<void> {
  ctx.progress('sentinels', 'forgetting the Redis nodes that left (SENTINEL RESET)');
  const { failed } = await askSentinels(ctx, cluster, ['SENTINEL', 'RESET', REDIS_MASTER_NAME]);
  for (const f of failed) ctx.progress('sentinels', `not reset: ${f}`);
}
