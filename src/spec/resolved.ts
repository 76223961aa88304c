import { STORE_TIERS, type Cluster } from './model.js';

/**
 * The model in cluster.yaml's own vocabulary and long form, every default
 * written out: what `hactl config` shows, and itself a valid cluster.yaml.
 */
export function toResolvedYamlShape(c: Cluster): Record<string, unknown> {
  return {
    name: c.name,
    runtime: c.runtime,
    balancer: { engine: c.balancer.engine, method: c.balancer.method, trace: c.balancer.trace },
    compose: { container_prefix: c.compose.containerPrefix },
    history: { keep: c.history.keep },
    session_mode: c.sessionMode,
    listen: c.listen,
    ports: { ...c.ports },
    ...(c.tls
      ? {
          tls: {
            names: [...c.tls.names],
            ...(c.tls.cert !== undefined && c.tls.key !== undefined ? { cert: c.tls.cert, key: c.tls.key } : {}),
            redirect: c.tls.redirect,
            hsts: c.tls.hstsS === 0 ? false : c.tls.hstsS,
            dashboard: c.tls.dashboard,
          },
        }
      : {}),
    health: { path: c.health.path, interval: `${c.health.intervalMs}ms`, fall: c.health.fall, rise: c.health.rise },
    database: { name: c.database.name, user: c.database.user, max_lag: `${c.database.maxLagMs}ms`, failback: c.database.failback },
    web: c.web.map((n) => ({ ...n })),
    db: c.db.map((n) => ({ ...n })),
    ...Object.fromEntries(STORE_TIERS.filter((tier) => c[tier].length > 0).map((tier) => [tier, c[tier].map((n) => ({ ...n }))])),
  };
}
