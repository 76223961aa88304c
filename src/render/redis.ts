import { createHash } from 'node:crypto';
import type { Secrets } from '../secrets/store.js';
import { REDIS_MASTER_NAME, sentinelQuorum, type Cluster, type StoreNode } from '../spec/model.js';
import { compile } from './engine.js';
import type { RenderedFile } from './index.js';
import type { RenderTarget } from './layout.js';

/**
 * A Sentinel's time without an answer before it calls the primary down.
 * With the vote and lb-db's check (rise 2 × 250 ms) sessions were served
 * again 1.9 s after a kill -9 (docs/research/session-stores.md); the
 * target is 5 s.
 */
export const SENTINEL_DOWN_AFTER_MS = 1000;
/**
 * How long a failover may take before another Sentinel tries: well above a
 * promotion here (~0.2 s). Twice this is also how long after one failover
 * no Sentinel starts another (5000 ms kept a primary that died 5 s after a
 * failover dead for 10 s).
 */
const SENTINEL_FAILOVER_TIMEOUT_MS = 2000;

/** The rendered files of a Redis node or Sentinel, in its own folder. */
export const REDIS_CONF = 'redis.conf';
export const SENTINEL_CONF = 'sentinel.conf';
export const START_ENV = 'start.env';
/** The config a node runs from (compose/store/redis-start.sh makes it), in its own folder. */
export const OWN_CONF = 'own.conf';

/** How the others reach NODE: its address locally, its service name in compose. */
function reach(target: RenderTarget, node: StoreNode): string {
  return target.runtime === 'compose' ? node.name : node.host;
}

function bindOf(target: RenderTarget, node: StoreNode): string {
  return target.runtime === 'compose' ? '0.0.0.0' : node.host;
}

/** What redis-start.sh needs to find the primary of the moment: sourced by sh, so each value single-quoted. */
function startEnv(cluster: Cluster, node: StoreNode, target: RenderTarget): string {
  const quote = (s: string) => `'${s}'`;
  const spaced = (n: StoreNode) => `${reach(target, n)} ${n.port}`;
  const joined = (list: StoreNode[]) => list.map((n) => `${reach(target, n)}:${n.port}`).join(' ');
  return [
    `# Read by compose/store/redis-start.sh when ${node.name} starts. Rendered by hactl from cluster.yaml.`,
    `MASTER=${quote(REDIS_MASTER_NAME)}`,
    `SELF=${quote(spaced(node))}`,
    `FIRST=${quote(spaced(cluster.redis[0]!))}`,
    `NODES=${quote(joined(cluster.redis))}`,
    `SENTINELS=${quote(joined(cluster.sentinel.filter((s) => s.name !== node.name)))}`,
    '',
  ].join('\n');
}

/** A stable 40-hex-digit id per Sentinel: a restarted one is not counted as a new voter. */
function sentinelId(cluster: Cluster, node: StoreNode): string {
  return createHash('sha1').update(`${cluster.name}\0${node.name}`).digest('hex');
}

export interface RedisSources {
  redis: string;
  sentinel: string;
}

/** Each Redis node's and Sentinel's files: its config (0600: the password) and its start settings. */
export function renderRedisFiles(cluster: Cluster, secrets: Secrets, target: RenderTarget, sources: RedisSources): RenderedFile[] {
  const password = secrets.redis_password.reveal();
  const peers = (node: StoreNode): RenderedFile => ({ path: `${node.name}/${START_ENV}`, content: startEnv(cluster, node, target), mode: 0o644, kind: 'peers' });
  const context = (node: StoreNode) => ({
    cluster,
    node,
    bind: bindOf(target, node),
    announce: reach(target, node),
    dataDir: target.layout.redis(node.name).dataDir,
    password,
  });
  return [
    ...cluster.redis.flatMap((node) => [
      { path: `${node.name}/${REDIS_CONF}`, content: compile(sources.redis)(context(node)), mode: 0o600, kind: 'redis' as const },
      peers(node),
    ]),
    ...cluster.sentinel.flatMap((node) => [
      {
        path: `${node.name}/${SENTINEL_CONF}`,
        content: compile(sources.sentinel)({
          ...context(node),
          myid: sentinelId(cluster, node),
          hostnames: target.runtime === 'compose',
          masterName: REDIS_MASTER_NAME,
          quorum: sentinelQuorum(cluster),
          downAfterMs: SENTINEL_DOWN_AFTER_MS,
          failoverTimeoutMs: SENTINEL_FAILOVER_TIMEOUT_MS,
        }),
        mode: 0o600,
        kind: 'redis' as const,
      },
      peers(node),
    ]),
  ];
}
