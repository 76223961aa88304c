import type { Secrets } from '../secrets/store.js';
import { ENGINE_METHODS, type Cluster, type WebNode } from '../spec/model.js';
import { HCHECK_TICK_MS } from '../spec/warnings.js';
import { hostPort } from '../util/net.js';
import { compile } from './engine.js';
import { nodeAddress, SESSION_COOKIE, tlsContext } from './haproxy.js';
import type { RenderTarget } from './layout.js';

/** Seconds a member has to accept a connection (HAProxy's lb-web: timeout connect 2s). */
const CONNECT_TIMEOUT_S = 2;

/** The stats page's one account, as on HAProxy's. */
export const STATS_USER = 'admin';

/** A member's flags at start: drain (N) for state drain or weight 0, disabled (D) for maint. */
function memberStatus(node: WebNode): string | undefined {
  if (node.state === 'maint') return '+D';
  if (node.state === 'drain' || node.weight === 0) return '+N';
  return undefined;
}

/** An entry point's bind: the listen address locally; every interface inside a container. */
function bind(cluster: Cluster, target: RenderTarget, port: number): string {
  return target.runtime === 'compose' ? `*:${port}` : hostPort(cluster.listen, port);
}

export function renderApacheWeb(cluster: Cluster, secrets: Secrets, target: RenderTarget, source: string): string {
  const paths = target.layout.apache();
  return compile(source)({
    cluster,
    ...tlsContext(cluster),
    sticky: cluster.sessionMode === 'sticky',
    sessionCookie: SESSION_COOKIE,
    paths,
    basicCredentials: basicCredentials(secrets),
    bind: { http: bind(cluster, target, cluster.ports.http), stats: bind(cluster, target, cluster.ports.stats), https: bind(cluster, target, cluster.ports.https) },
    // Validation has refused a method the engine lacks.
    lbmethod: ENGINE_METHODS.apache[cluster.balancer.method],
    hcInterval: `${Math.max(HCHECK_TICK_MS, cluster.health.intervalMs)}ms`,
    members: cluster.web.map((n) => ({ address: nodeAddress(target, n), route: n.cookie, loadfactor: n.weight, status: memberStatus(n) })),
    // As HAProxy's timeout connect: a dead container's address does not refuse, it stays silent,
    // and Apache would wait its whole Timeout (30 s) before trying another member.
    connectTimeout: CONNECT_TIMEOUT_S,
    // A container started again may get another address on the compose network: looked up again every second.
    addressTtl: target.runtime === 'compose' ? 1 : undefined,
  });
}

/** The stats port's one login, as an Authorization header carries it: Basic base64(user:password). */
function basicCredentials(secrets: Secrets): string {
  return Buffer.from(`${STATS_USER}:${secrets.stats_password.reveal()}`, 'utf8').toString('base64');
}
