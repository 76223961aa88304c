import { parseDuration } from './formats.js';
import { DEFAULTS, defaultCookie } from './defaults.js';
import {
  ENGINES,
  FAILBACKS,
  HSTS_DEFAULT_S,
  METHODS,
  NODE_STATES,
  RUNTIMES,
  SESSION_MODES,
  type Cluster,
  type DbNode,
  type NodeState,
  type StoreNode,
  type StoreTier,
  type TlsSettings,
  type WebNode,
} from './model.js';

type Raw = Record<string, unknown>;

function obj(value: unknown): Raw {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Raw) : {};
}
function str(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}
function int(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) ? value : fallback;
}
function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

/** Short form "web1" and long form {name: web1, ...} both become a mapping. */
function duration(value: unknown, fallback: string): number {
  return (typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined) ?? parseDuration(fallback)!;
}

function items(value: unknown): Raw[] {
  if (!Array.isArray(value)) return [];
  return value.map((it) => (typeof it === 'string' ? { name: it } : obj(it)));
}

/**
 * Each node's number {n}: its explicit id, else the digits its name ends
 * with, else the lowest free number. Derived from the name rather than the
 * position so that removing web1 does not move web2 to another address.
 */
export function nodeNumbers(nodes: readonly { name: string; id?: number | undefined }[]): number[] {
  const taken = new Set<number>();
  const out: (number | undefined)[] = nodes.map((n) => {
    if (n.id !== undefined && !taken.has(n.id)) {
      taken.add(n.id);
      return n.id;
    }
    return undefined;
  });
  nodes.forEach((n, i) => {
    if (out[i] !== undefined) return;
    const digits = /(\d+)$/.exec(n.name)?.[1];
    const num = digits === undefined ? NaN : Number(digits);
    if (num >= 1 && !taken.has(num)) {
      taken.add(num);
      out[i] = num;
    }
  });
  let next = 1;
  return out.map((n) => {
    if (n !== undefined) return n;
    while (taken.has(next)) next++;
    taken.add(next);
    return next;
  });
}

/** The Sentinels a cluster with Redis replicas runs when sentinel: is left out. */
export const DEFAULT_SENTINELS = ['sentinel1', 'sentinel2', 'sentinel3'];

function hostFor(pattern: string, n: number): string {
  return pattern.replaceAll('{n}', String(n));
}

/** tls: present (a mapping, or empty) turns HTTPS on. */
export function tlsSettings(raw: Raw): TlsSettings | undefined {
  if (!('tls' in raw) || (raw.tls !== null && obj(raw.tls) !== raw.tls)) return undefined;
  const tls = obj(raw.tls);
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const hsts = tls.hsts === true ? HSTS_DEFAULT_S : int(tls.hsts, 0);
  return {
    names: Array.isArray(tls.names) ? tls.names.filter((n): n is string => typeof n === 'string') : [],
    cert: text(tls.cert),
    key: text(tls.key),
    redirect: tls.redirect === true,
    hstsS: hsts,
    dashboard: tls.dashboard === true,
  };
}

/**
 * Raw cluster.yaml data -> the typed model, defaults filled in. Tolerant of
 * invalid input (validation reports it separately), so that one bad field
 * does not hide the problems of the others.
 */
export function normalize(input: unknown): Cluster {
  const raw = obj(input);
  const ports = obj(raw.ports);
  const health = obj(raw.health);
  const database = obj(raw.database);
  const defaults = obj(raw.defaults);
  const webDefaults = obj(defaults.web);
  const dbDefaults = obj(defaults.db);

  const rawWeb = items(raw.web);
  const webNames = rawWeb.map((w) => str(w.name, ''));
  const webNumbers = nodeNumbers(webNames.map((name) => ({ name })));
  const webHost = str(webDefaults.host, DEFAULTS.defaults.web.host);
  const web: WebNode[] = rawWeb.map((w, i) => {
    const n = webNumbers[i]!;
    return {
      name: webNames[i]!,
      host: str(w.host, hostFor(webHost, n)),
      port: int(w.port, int(webDefaults.port, DEFAULTS.defaults.web.port)),
      cookie: str(w.cookie, defaultCookie(n)),
      weight: int(w.weight, int(webDefaults.weight, DEFAULTS.defaults.web.weight)),
      state: oneOf<NodeState>(w.state, NODE_STATES, DEFAULTS.webNode.state),
    };
  });

  const rawDb = items(raw.db);
  const dbNumbers = nodeNumbers(
    rawDb.map((d) => ({ name: str(d.name, ''), id: typeof d.id === 'number' ? d.id : undefined })),
  );
  const dbHost = str(dbDefaults.host, DEFAULTS.defaults.db.host);
  const db: DbNode[] = rawDb.map((d, i) => {
    const n = dbNumbers[i]!;
    return {
      name: str(d.name, ''),
      host: str(d.host, hostFor(dbHost, n)),
      port: int(d.port, int(dbDefaults.port, DEFAULTS.defaults.db.port)),
      id: n,
    };
  });

  const stores = (tier: StoreTier, list: Raw[]): StoreNode[] => {
    const numbers = nodeNumbers(list.map((m) => ({ name: str(m.name, '') })));
    const tierDefaults = obj(defaults[tier]);
    const host = str(tierDefaults.host, DEFAULTS.defaults[tier].host);
    return list.map((m, i) => ({
      name: str(m.name, ''),
      host: str(m.host, hostFor(host, numbers[i]!)),
      port: int(m.port, int(tierDefaults.port, DEFAULTS.defaults[tier].port)),
    }));
  };
  const redis = stores('redis', items(raw.redis));
  // Left out with a replica to promote: the three Sentinels a failover needs.
  const sentinelList = 'sentinel' in raw || redis.length < 2 ? items(raw.sentinel) : DEFAULT_SENTINELS.map((name) => ({ name }));

  return {
    name: str(raw.name, DEFAULTS.name),
    runtime: oneOf(raw.runtime, RUNTIMES, DEFAULTS.runtime),
    history: { keep: int(obj(raw.history).keep, DEFAULTS.history.keep) },
    balancer: {
      engine: oneOf(obj(raw.balancer).engine, ENGINES, DEFAULTS.balancer.engine),
      method: oneOf(obj(raw.balancer).method, METHODS, DEFAULTS.balancer.method),
      trace: obj(raw.balancer).trace === true,
    },
    compose: { containerPrefix: str(obj(raw.compose).container_prefix, DEFAULTS.compose.container_prefix) },
    sessionMode: oneOf(raw.session_mode, SESSION_MODES, DEFAULTS.session_mode),
    listen: str(raw.listen, DEFAULTS.listen),
    ports: {
      http: int(ports.http, DEFAULTS.ports.http),
      stats: int(ports.stats, DEFAULTS.ports.stats),
      db: int(ports.db, DEFAULTS.ports.db),
      dashboard: int(ports.dashboard, DEFAULTS.ports.dashboard),
      peers: int(ports.peers, DEFAULTS.ports.peers),
      db_peers: int(ports.db_peers, DEFAULTS.ports.db_peers),
      db_agent: int(ports.db_agent, DEFAULTS.ports.db_agent),
      https: int(ports.https, DEFAULTS.ports.https),
      redis: int(ports.redis, DEFAULTS.ports.redis),
    },
    tls: tlsSettings(raw),
    health: {
      path: str(health.path, DEFAULTS.health.path),
      intervalMs: duration(health.interval, DEFAULTS.health.interval),
      fall: int(health.fall, DEFAULTS.health.fall),
      rise: int(health.rise, DEFAULTS.health.rise),
    },
    database: {
      name: str(database.name, DEFAULTS.database.name),
      user: str(database.user, DEFAULTS.database.user),
      maxLagMs: duration(database.max_lag, DEFAULTS.database.max_lag),
      failback: oneOf(database.failback, FAILBACKS, DEFAULTS.database.failback),
    },
    web,
    db,
    memcached: stores('memcached', items(raw.memcached)),
    redis,
    sentinel: stores('sentinel', sentinelList),
  };
}
