import { randomInt } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import { sessionRequest } from '../drill/client.js';
import { CookieJar } from '../drill/cookie-jar.js';
import { dbDelta, REPLICATED_COUNTER, summarizeMode, WRITE_COUNTERS, type ModeResult, type Phase, type Sample } from '../drill/summary.js';
import type { Progress } from '../drivers/driver.js';
import { badInput, HactlError } from '../errors.js';
import { loadOrCreateSecrets, type Secrets } from '../secrets/store.js';
import { endpointsOf } from '../spec/endpoints.js';
import { loadClusterFile } from '../spec/load.js';
import { availableSessionModes, type Cluster, type SessionMode } from '../spec/model.js';
import { collectStatus } from '../status/collect.js';
import { conditionOf, type ClusterStatus } from '../status/model.js';
import { pollUntil } from '../util/poll.js';
import { splitHostPort } from '../util/net.js';
import { memcachedStats } from '../util/probe.js';
import { redisCommand } from '../redis/client.js';
import { memcachedOps, redisOps } from '../drill/store-ops.js';
import type { Runner } from '../util/runner.js';
import { openContext, type OpContext, type OpOptions } from './context.js';
import type { Project } from './project.js';
import { up } from './up.js';
import { switchSessionMode } from './web-ops.js';

/**
 * hactl drill sessions: a scripted visitor against each session mode of the
 * running cluster. It sets a color, reads it back, has the node it is on
 * killed, reads again, and the cluster is put back as it was. The drill
 * takes no lock of its own: each step (session-mode, up) takes the
 * cluster's lock itself, as if a person typed the commands one by one.
 */

export interface DrillOptions extends OpOptions {
  /** Reads before the kill. */
  reads: number;
  /** Reads after the kill. */
  readsAfter: number;
  /** In this order; every mode the cluster has a store for by default. */
  modes?: readonly SessionMode[];
  /** Ctrl-C: stop at the next request, then restore. */
  signal?: AbortSignal;
  /** Longest wait for the cluster to be healthy again after a restart or a reload. */
  healthyTimeoutMs?: number;
}

export interface DrillReport {
  modes: ModeResult[];
  /** The session mode cluster.yaml had before, and has again. */
  restored: SessionMode;
}

// Names the app accepts (CSS colors); a random one so that no earlier run's session can pass for this one's.
const COLORS = ['teal', 'plum', 'olive', 'coral', 'orchid', 'salmon', 'tomato', 'gold', 'khaki', 'navy', 'sienna', 'indigo', 'crimson', 'orange'];

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function drillSessions(project: Project, options: DrillOptions, runner: Runner, progress: Progress): Promise<DrillReport> {
  const start = loadClusterFile(project.file).cluster;
  const modes = options.modes ?? availableSessionModes(start);
  if (start.web.length < 2) throw badInput(`the drill kills the client's web node, so it needs at least two; cluster.yaml has ${start.web.length} (hactl add web web2)`);
  const missing = modes.filter((m) => !availableSessionModes(start).includes(m));
  if (missing.length > 0) throw badInput(`${missing.join(' and ')} sessions need their store, and cluster.yaml has none (db: DB nodes; memcached: memcached nodes; redis: Redis nodes)`);
  const ctx = await openContext(project, { runtime: options.runtime }, runner, progress);
  const secrets = loadOrCreateSecrets(project.stateDir);
  const inRotation = await requireReady(ctx, start, secrets);

  const results: ModeResult[] = [];
  let failure: unknown;
  try {
    for (const mode of modes) results.push(await drillMode(ctx, mode, inRotation, options));
  } catch (err) {
    failure = err;
  }

  const restoredHow = `session mode ${start.sessionMode}, every node up`;
  try {
    await restore(ctx, start.sessionMode, inRotation, options);
  } catch (err) {
    const putBack = [`hactl up and hactl session-mode ${start.sessionMode} put it back; hactl status shows what is wrong`];
    if (failure === undefined) throw new HactlError(`the drill ran, but restoring the cluster failed: ${message(err)}`, undefined, putBack);
    throw new HactlError(`the drill failed: ${message(failure)}`, undefined, [`restoring the cluster failed too: ${message(err)}`, ...putBack]);
  }
  if (failure instanceof HactlError) throw new HactlError(failure.message, failure.exitCode, [...failure.details, `the cluster was restored (${restoredHow})`]);
  if (failure !== undefined) throw failure;
  return { modes: results, restored: start.sessionMode };
}

async function drillMode(ctx: OpContext, mode: SessionMode, inRotation: string[], options: DrillOptions): Promise<ModeResult> {
  const step = `drill ${mode}`;
  const opOptions = { runtime: options.runtime };
  if (loadClusterFile(ctx.project.file).cluster.sessionMode !== mode) {
    await switchSessionMode(ctx.project, mode, opOptions, ctx.runner, ctx.progress);
  }
  const cluster = loadClusterFile(ctx.project.file).cluster;
  const secrets = loadOrCreateSecrets(ctx.project.stateDir);
  // A reload restarts lb-web's checks; only a cluster that is all UP gives comparable numbers.
  await waitReady(ctx, cluster, secrets, inRotation, options);
  const site = endpointsOf(cluster).http;
  // Every session write goes to the master lb-db writes to.
  const master = (await collectStatus(cluster, ctx.runtime, ctx.driver, secrets)).nodes.find((n) => n.type === 'db' && n.role === 'active')?.name;
  const countersBefore = master ? await dbCounters(ctx, master, secrets) : {};

  const store = await storeOf(ctx, cluster, mode, secrets);
  const opsBefore = await store?.ops();

  const jar = new CookieJar();
  const color = COLORS[randomInt(COLORS.length)]!;
  const samples: Sample[] = [];
  const ask = async (phase: Phase, setColor?: string) => {
    if (options.signal?.aborted) throw new HactlError('interrupted (Ctrl-C)');
    const answer = await sessionRequest(site, jar, setColor);
    samples.push({ ...answer, phase });
    return answer;
  };

  const set = await ask('set', color);
  if (!set.ok || set.color !== color) throw new HactlError(`${mode} sessions: setting the color failed: ${set.error ?? `the answer had color ${set.color}`}`);
  for (let i = 0; i < options.reads; i++) await ask('before-kill');
  const ops = store && opsBefore !== undefined ? (await store.ops()) - opsBefore : undefined;
  const lastServed = samples.filter((s) => s.ok && s.servedBy !== null).at(-1)!.servedBy!;
  // X-Served-By is the app's word: kill only what cluster.yaml calls a web node.
  if (!cluster.web.some((n) => n.name === lastServed)) throw new HactlError(`${mode} sessions: the client was served by "${lastServed}", which is not a web node of cluster.yaml`);
  ctx.progress(step, `color ${color} set on ${set.servedBy}, read ${options.reads} times; killing ${lastServed}, the node the client is on`);
  await ctx.driver.kill(lastServed);
  for (let i = 0; i < options.readsAfter; i++) await ask('after-kill');
  const db = dbDelta(countersBefore, master ? await dbCounters(ctx, master, secrets) : {});
  if (store) {
    ctx.progress(step, `read ${options.readsAfter} times after the kill; killing ${store.victim}, ${store.why}`);
    await ctx.driver.kill(store.victim);
    for (let i = 0; i < options.readsAfter; i++) await ask('after-store-kill');
  }
  const result = summarizeMode({ mode, color, samples, killed: lastServed, db, store: store && ops !== undefined ? { killed: store.victim, ops } : undefined });

  ctx.progress(step, `read ${options.readsAfter} times after the kill; restarting ${[lastServed, ...(store ? [store.victim] : [])].join(' and ')}`);
  await up(ctx.project, opOptions, ctx.runner, ctx.progress);
  await waitReady(ctx, cluster, secrets, inRotation, options);
  return result;
}

/** Back to the session mode of before, every node started and UP; also after a failure halfway. */
async function restore(ctx: OpContext, mode: SessionMode, inRotation: string[], options: DrillOptions): Promise<void> {
  const opOptions = { runtime: options.runtime };
  if (loadClusterFile(ctx.project.file).cluster.sessionMode !== mode) {
    ctx.progress('drill', `restoring session mode ${mode}`);
    await switchSessionMode(ctx.project, mode, opOptions, ctx.runner, ctx.progress);
  }
  // Starts a node that a failed step left dead; "up to date" otherwise.
  await up(ctx.project, opOptions, ctx.runner, ctx.progress);
  await waitReady(ctx, loadClusterFile(ctx.project.file).cluster, loadOrCreateSecrets(ctx.project.stateDir), inRotation, { ...options, signal: undefined });
}

/** What keeps NODES (web nodes that must be UP in lb-web) and the whole cluster from being healthy; empty when nothing does. */
function problems(status: ClusterStatus, nodes: readonly string[]): string[] {
  const alone = status.nodes.filter((n) => n.type === 'db').length === 1;
  const found = status.nodes.flatMap((n) => {
    if (n.type === 'web') {
      const fine = nodes.includes(n.name) ? conditionOf(n.status) === 'up' : ['up', 'drain', 'maint'].includes(conditionOf(n.status));
      return fine ? [] : [`${n.name}: ${n.status}${n.check ? ` (${n.check})` : ''}`];
    }
    // One master has nothing to replicate from, as status has it.
    const synced = n.replication_summary === 'Synced' || (alone && n.replication_summary === 'no replication');
    if (conditionOf(n.status) !== 'up' || !synced) return [`${n.name}: ${n.status}, replication ${n.replication_summary}`];
    return [];
  });
  for (const b of status.balancers) if (b.process !== 'running') found.push(`${b.name}: ${b.process}`);
  return found.length === 0 && status.health !== 'healthy' ? [`the cluster is ${status.health}`] : found;
}

/** The drill starts only from a healthy cluster with two web nodes in rotation: it is going to kill one. */
async function requireReady(ctx: OpContext, cluster: Cluster, secrets: Secrets): Promise<string[]> {
  const status = await collectStatus(cluster, ctx.runtime, ctx.driver, secrets);
  const wrong = problems(status, []);
  if (wrong.length > 0) throw new HactlError('the drill kills nodes, so it starts only from a healthy cluster (hactl status; hactl up)', undefined, wrong);
  const serving = status.nodes.filter((n) => n.type === 'web' && conditionOf(n.status) === 'up').map((n) => n.name);
  if (serving.length < 2) {
    throw new HactlError(`the drill kills the client's web node, so it needs two web nodes in rotation; lb-web has ${serving.length} UP (hactl enable NODE)`);
  }
  return serving;
}

async function waitReady(ctx: OpContext, cluster: Cluster, secrets: Secrets, nodes: readonly string[], options: DrillOptions): Promise<void> {
  const timeoutMs = options.healthyTimeoutMs ?? 30_000;
  let wrong: string[] = [];
  const healthy = await pollUntil(async () => {
    wrong = problems(await collectStatus(cluster, ctx.runtime, ctx.driver, secrets), nodes);
    if (wrong.length === 0) return true;
    if (options.signal?.aborted) throw new HactlError('interrupted (Ctrl-C)');
    return false;
  }, Date.now() + timeoutMs, 200);
  if (!healthy) throw new HactlError(`the cluster was not healthy again within ${timeoutMs / 1000} s`, undefined, wrong);
}

/**
 * A store mode's node to kill (memcached: one of the two that hold each
 * session; redis: the primary) and its session commands so far (every
 * memcached node's; the Redis primary's). Undefined for the modes whose
 * sessions live in no store node of their own (files; db, which
 * hactl drill db breaks).
 */
async function storeOf(ctx: OpContext, cluster: Cluster, mode: SessionMode, secrets: Secrets): Promise<{ victim: string; why: string; ops: () => Promise<number> } | undefined> {
  const at = async (node: { name: string; host: string; port: number }) => splitHostPort(await ctx.driver.webAddress(node));
  if (mode === 'memcached' && cluster.memcached.length > 0) {
    return {
      victim: cluster.memcached[0]!.name,
      why: 'a memcached node (each session is on two)',
      ops: async () => {
        const counts = await Promise.all(
          cluster.memcached.map(async (n) => {
            const { host, port } = await at(n);
            return memcachedOps(await memcachedStats(host, port));
          }),
        );
        return counts.reduce((a, b) => a + b, 0);
      },
    };
  }
  if (mode === 'redis') {
    const name = (await collectStatus(cluster, ctx.runtime, ctx.driver, secrets)).stores.find((s) => s.role === 'primary')?.name;
    const primary = cluster.redis.find((n) => n.name === name);
    if (!primary) throw new HactlError('redis sessions: lb-db has no Redis primary (hactl status)');
    const { host, port } = await at(primary);
    return { victim: primary.name, why: 'the Redis primary', ops: async () => redisOps(String(await redisCommand(host, port, secrets.redis_password.reveal(), ['INFO', 'commandstats']))) };
  }
  return undefined;
}

interface StatusRow extends RowDataPacket {
  Variable_name: string;
  Value: string;
}

/** The write counters of one DB node, read directly, not through lb-db. */
async function dbCounters(ctx: OpContext, node: string, secrets: Secrets): Promise<Record<string, number>> {
  const conn = await ctx.driver.dbRoot(node, secrets);
  try {
    const [rows] = await conn.query<StatusRow[]>('SHOW GLOBAL STATUS WHERE Variable_name IN (?)', [[...WRITE_COUNTERS, REPLICATED_COUNTER]]);
    return Object.fromEntries(rows.map((r) => [r.Variable_name, Number(r.Value)]));
  } finally {
    await conn.end().catch(() => undefined);
  }
}
