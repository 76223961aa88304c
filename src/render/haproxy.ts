import type { Secrets } from '../secrets/store.js';
import { DB_CHECK_USER, ENGINE_METHODS, type Cluster, type DbNode, type StoreNode, type WebNode } from '../spec/model.js';
import { hostPort, peersAddress } from '../util/net.js';
import { compile } from './engine.js';
import type { RenderTarget } from './layout.js';

/** lb-db's backend of the Redis nodes (templates/haproxy-db.cfg.hbs). */
export const REDIS_BACKEND = 'redis';

/** The cookie PHP's session lives in; lb-web's stick table follows it in sticky mode. */
export const SESSION_COOKIE = 'PHPSESSID';

/** Where a node is reached from the balancer: its own address locally, its service name in compose. */
export function nodeAddress(target: RenderTarget, node: WebNode | DbNode | StoreNode): string {
  return hostPort(target.runtime === 'compose' ? node.name : node.host, node.port);
}

/** An entry point's bind: the listen address locally; every interface inside a container (compose publishes it). */
function bind(cluster: Cluster, target: RenderTarget, port: number): string {
  return target.runtime === 'compose' ? `:${port}` : hostPort(cluster.listen, port);
}

/** A balancer's peers listener: only its own workers talk to it (no authentication), so never published. */
function peersBind(cluster: Cluster, target: RenderTarget, port: number): string {
  // Inside a container, its own loopback.
  return hostPort(target.runtime === 'local' ? peersAddress(cluster.listen) : '127.0.0.1', port);
}

/** The certificate lb-web serves, rendered beside its config (HAProxy: crt site.pem; Apache: SSLCertificateFile). */
export const SITE_PEM = 'site.pem';

/** What both engines' templates need for HTTPS. */
export function tlsContext(cluster: Cluster) {
  const tls = cluster.tls;
  return {
    tls: tls !== undefined,
    redirect: tls?.redirect === true,
    hsts: tls && tls.hstsS > 0 ? tls.hstsS : false,
    // A redirect names the port unless it is HTTPS's own.
    httpsPortSuffix: cluster.ports.https === 443 ? '' : `:${cluster.ports.https}`,
    secureCookie: tls !== undefined && cluster.sessionMode === 'sticky',
  };
}

export function renderHaproxyWeb(cluster: Cluster, secrets: Secrets, target: RenderTarget, source: string): string {
  return compile(source)({
    cluster,
    ...tlsContext(cluster),
    compose: target.runtime === 'compose',
    // Validation has refused a method the engine lacks.
    balance: ENGINE_METHODS.haproxy[cluster.balancer.method],
    paths: target.layout.balancer('lb-web'),
    bind: {
      http: bind(cluster, target, cluster.ports.http),
      https: bind(cluster, target, cluster.ports.https),
      stats: bind(cluster, target, cluster.ports.stats),
      peers: peersBind(cluster, target, cluster.ports.peers),
    },
    sticky: cluster.sessionMode === 'sticky',
    sessionCookie: SESSION_COOKIE,
    statsPassword: secrets.stats_password.reveal(),
    servers: cluster.web.map((n) => ({
      name: n.name,
      address: nodeAddress(target, n),
      cookie: n.cookie,
      // Weight 0 is HAProxy's drain: sticky visitors stay, new ones go elsewhere.
      weight: n.state === 'drain' ? 0 : n.weight,
      disabled: n.state === 'maint',
    })),
  });
}

export function renderHaproxyDb(cluster: Cluster, secrets: Secrets, target: RenderTarget, source: string): string {
  return compile(source)({
    cluster,
    compose: target.runtime === 'compose',
    paths: target.layout.balancer('lb-db'),
    bind: { db: bind(cluster, target, cluster.ports.db), redis: bind(cluster, target, cluster.ports.redis), peers: peersBind(cluster, target, cluster.ports.db_peers) },
    checkUser: DB_CHECK_USER,
    agentPort: cluster.ports.db_agent,
    servers: cluster.db.map((n, i) => ({ name: n.name, address: nodeAddress(target, n), backup: i > 0 })),
    redis: cluster.redis.length > 0 ? { password: secrets.redis_password.reveal(), servers: cluster.redis.map((n) => ({ name: n.name, address: nodeAddress(target, n) })) } : undefined,
  });
}
