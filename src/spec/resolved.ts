import type { Cluster } from './model.js';

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
    session_mode: c.sessionMode,
    listen: c.listen,
    ports: { ...c.ports },
    health: { path: c.health.path, interval: `${c.health.intervalMs}ms`, fall: c.health.fall, rise: c.health.rise },
    database: { name: c.database.name, user: c.database.user, max_lag: `${c.database.maxLagMs}ms`, failback: c.database.failback },
    web: c.web.map((n) => ({ ...n })),
    db: c.db.map((n) => ({ ...n })),
  };
}
