import { createHash } from 'node:crypto';
import type { Secrets } from '../secrets/store.js';
import { ENGINE_METHODS, type Cluster, type WebNode } from '../spec/model.js';
import { HCHECK_TICK_MS } from '../spec/warnings.js';
import { hostPort } from '../util/net.js';
import { compile } from './engine.js';
import { nodeAddress, SESSION_COOKIE } from './haproxy.js';
import type { RenderTarget } from './layout.js';

/** The stats page's one account, as on HAProxy's. */
const STATS_USER = 'admin';

/**
 * Apache's loadfactor is 1-100 where HAProxy's weight is 0-256: the same
 * shares, scaled. Weight 0 (no new visitors) has no loadfactor: it is a drain.
 */
export function loadfactor(weight: number): number {
  return Math.min(100, Math.max(1, Math.round((weight * 100) / 256)));
}

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

export function renderApacheWeb(cluster: Cluster, target: RenderTarget, source: string): string {
  const paths = target.layout.apache();
  return compile(source)({
    cluster,
    sticky: cluster.sessionMode === 'sticky',
    sessionCookie: SESSION_COOKIE,
    paths,
    passwordFile: `${paths.configDir}/htpasswd`,
    bind: { http: bind(cluster, target, cluster.ports.http), stats: bind(cluster, target, cluster.ports.stats) },
    // Validation has refused a method the engine lacks.
    lbmethod: ENGINE_METHODS.apache[cluster.balancer.method],
    hcInterval: `${Math.max(HCHECK_TICK_MS, cluster.health.intervalMs)}ms`,
    members: cluster.web.map((n) => ({ address: nodeAddress(target, n), route: n.cookie, loadfactor: loadfactor(n.weight), status: memberStatus(n) })),
  });
}

/**
 * The stats page's login for Apache's mod_authn_file: {SHA} is the one
 * hash every platform's Apache reads that needs no salt generator here;
 * the password is 24 random characters, so an unsalted hash is no shortcut.
 */
export function renderApachePasswords(secrets: Secrets): string {
  const hash = createHash('sha1').update(secrets.stats_password.reveal(), 'utf8').digest('base64');
  return `${STATS_USER}:{SHA}${hash}\n`;
}
