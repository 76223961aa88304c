import type { Cluster } from './model.js';

/**
 * What fills the parts of cluster.yaml that are left out. The schema's
 * "default" annotations say the same for editors; a test keeps them equal.
 */
export const DEFAULTS = {
  name: 'hactl',
  runtime: 'auto',
  balancer: { engine: 'haproxy', method: 'roundrobin', trace: false },
  compose: { container_prefix: '' },
  history: { keep: 100 },
  session_mode: 'sticky',
  listen: '127.0.0.1',
  ports: { http: 8080, stats: 8404, db: 3307, dashboard: 9000, peers: 8405, db_peers: 8406, db_agent: 9200, https: 8443, redis: 6380 },
  tls: { redirect: false, hsts: false, dashboard: false },
  health: { path: '/health', interval: '250ms', fall: 2, rise: 2 },
  database: { name: 'hactl', user: 'hactl_app', max_lag: '5s', failback: 'manual' },
  defaults: {
    web: { host: '127.0.1.{n}', port: 8000, weight: 100 },
    db: { host: '127.0.2.{n}', port: 3306 },
    memcached: { host: '127.0.3.{n}', port: 11211 },
    redis: { host: '127.0.4.{n}', port: 6379 },
    sentinel: { host: '127.0.5.{n}', port: 26379 },
  },
  webNode: { state: 'ready' },
} as const satisfies Record<string, unknown>;

/** The cookie a web node gets when none is given: S1 for web1, S2 for web2… */
export function defaultCookie(n: number): string {
  return `S${n}`;
}

export type ClusterDefaults = typeof DEFAULTS;
export type { Cluster };
