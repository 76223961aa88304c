import type { Secrets } from '../secrets/store.js';
import type { Cluster, WebNode } from '../spec/model.js';
import { connectAddress, hostPort } from '../util/net.js';
import { SESSION_COOKIE } from './haproxy.js';
import type { RenderTarget } from './layout.js';

/** Seconds an idle session lives (PHP's own default). */
const SESSION_LIFETIME = 1440;

/**
 * The PHP app's settings for one web node (JSON, read on every request, so
 * a session-mode switch needs no restart). The app reaches the DB through
 * lb-db, never a DB node directly, so a failover is invisible to it.
 */
export function renderAppSettings(cluster: Cluster, node: WebNode, secrets: Secrets, target: RenderTarget): string {
  const compose = target.runtime === 'compose';
  const paths = target.layout.web(node.name);
  const settings = {
    cluster: cluster.name,
    node: { name: node.name, address: compose ? node.name : node.host, port: node.port },
    session: {
      mode: cluster.sessionMode,
      name: SESSION_COOKIE,
      save_path: paths.sessions,
      lifetime: SESSION_LIFETIME,
      // Where memcached sessions live (each on two of them): a node's own address, its service name in compose.
      memcached: cluster.memcached.map((n) => hostPort(compose ? n.name : n.host, n.port)),
      // Redis sessions go to the primary of the moment through lb-db, never to a node directly.
      redis: cluster.redis.length > 0 ? { host: compose ? 'lb-db' : connectAddress(cluster.listen), port: cluster.ports.redis, password: secrets.redis_password.reveal() } : null,
    },
    db: {
      host: compose ? 'lb-db' : connectAddress(cluster.listen),
      port: cluster.ports.db,
      name: cluster.database.name,
      user: cluster.database.user,
      password: secrets.app_password.reveal(),
    },
    data_dir: paths.dataDir,
    // Only the balancer may tell the app who the client is (X-Forwarded-For).
    trusted_proxies: compose ? ['lb-web'] : [...new Set(['127.0.0.1', connectAddress(cluster.listen)])],
  };
  return JSON.stringify(settings, null, 2) + '\n';
}
