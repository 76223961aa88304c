/** The one typed model of a cluster that every part of hactl uses. */

export const RUNTIMES = ['auto', 'local', 'compose'] as const;
export type Runtime = (typeof RUNTIMES)[number];
/** A runtime after `auto` has been resolved. */
export type ConcreteRuntime = Exclude<Runtime, 'auto'>;

export const SESSION_MODES = ['none', 'sticky', 'db', 'memcached', 'redis'] as const;
export type SessionMode = (typeof SESSION_MODES)[number];

export const NODE_STATES = ['ready', 'drain', 'maint'] as const;
export type NodeState = (typeof NODE_STATES)[number];

export type Tier = 'web' | 'db';

/**
 * Session stores: nodes that only the web nodes (and, for Redis, lb-db and
 * the Sentinels) talk to. In start order: Redis before the Sentinels that
 * watch it.
 */
export const STORE_TIERS = ['memcached', 'redis', 'sentinel'] as const;
export type StoreTier = (typeof STORE_TIERS)[number];

/**
 * After a failover: manual keeps writes on the master that took over until
 * hactl switchover moves them; auto moves them back to the first master once
 * it has caught up.
 */
export const FAILBACKS = ['manual', 'auto'] as const;
export type Failback = (typeof FAILBACKS)[number];

export interface WebNode {
  name: string;
  host: string;
  port: number;
  cookie: string;
  weight: number;
  state: NodeState;
}

export interface DbNode {
  name: string;
  host: string;
  port: number;
  /** server_id, gtid_domain_id and auto_increment_offset: stable for the node's life. */
  id: number;
}

/** A session store node (memcached, redis) or a Redis Sentinel. */
export interface StoreNode {
  name: string;
  host: string;
  port: number;
}

export const ENGINES = ['haproxy', 'apache'] as const;
export type Engine = (typeof ENGINES)[number];

/**
 * How lb-web picks a node for a new visitor: one word for both engines.
 * roundrobin: each in turn (by weight); leastconn: the one with the fewest
 * requests under way; traffic: the one that moved the fewest bytes;
 * source: by the client's address; random; first: fill the first node up.
 */
export const METHODS = ['roundrobin', 'leastconn', 'traffic', 'source', 'random', 'first'] as const;
export type Method = (typeof METHODS)[number];

/** Each engine's own name for the methods it has (HAProxy's `balance`, Apache's lbmethod); a method it lacks is not here. */
export const ENGINE_METHODS: Record<Engine, Partial<Record<Method, string>>> = {
  haproxy: { roundrobin: 'roundrobin', leastconn: 'leastconn', source: 'source', random: 'random', first: 'first' },
  apache: { roundrobin: 'byrequests', leastconn: 'bybusyness', traffic: 'bytraffic' },
};

/**
 * HTTPS on lb-web. cert and key: the user's files (paths as cluster.yaml
 * gives them, relative to its folder); without them hactl's own CA signs a
 * certificate. hstsS: Strict-Transport-Security's max-age, 0 for none.
 */
export interface TlsSettings {
  names: string[];
  cert: string | undefined;
  key: string | undefined;
  redirect: boolean;
  hstsS: number;
  dashboard: boolean;
}

/** tls.hsts: true: two years, as Mozilla's configuration guide has it. */
export const HSTS_DEFAULT_S = 63_072_000;

export interface Cluster {
  name: string;
  runtime: Runtime;
  /** trace: the apache engine's proxy trace log (LogLevel proxy:trace2). */
  balancer: { engine: Engine; method: Method; trace: boolean };
  /** containerPrefix: put before every container's name (web1 is PREFIXweb1). */
  compose: { containerPrefix: string };
  /** keep: how many versions of the history are kept. */
  history: { keep: number };
  sessionMode: SessionMode;
  listen: string;
  ports: { http: number; stats: number; db: number; dashboard: number; peers: number; db_peers: number; db_agent: number; https: number; redis: number };
  /** undefined: no HTTPS. */
  tls: TlsSettings | undefined;
  health: { path: string; intervalMs: number; fall: number; rise: number };
  /** maxLagMs: how far behind a backup may be and still take over; failback: see FAILBACKS. */
  database: { name: string; user: string; maxLagMs: number; failback: Failback };
  web: WebNode[];
  db: DbNode[];
  memcached: StoreNode[];
  /** The first is the primary when none runs yet; the others replicate from it. */
  redis: StoreNode[];
  /** Watch the Redis nodes and promote a replica when the primary dies. */
  sentinel: StoreNode[];
}

/** The name the Sentinels know the Redis primary by. */
export const REDIS_MASTER_NAME = 'hactl';

/** How many Sentinels must agree that the primary is down: a majority, so that one cut off alone cannot start a failover. */
export function sentinelQuorum(cluster: { sentinel: readonly unknown[] }): number {
  return Math.floor(cluster.sentinel.length / 2) + 1;
}

/** With two Redis nodes or more, a replica can take over: that needs a majority of at least three Sentinels. */
export const MIN_SENTINELS = 3;

/**
 * Every master uses the same auto_increment_increment, fixed so that adding a
 * master never means reconfiguring the others; offsets (the node ids) stay
 * below it, which caps a cluster at this many DB nodes.
 */
export const MAX_DB_NODES = 10;

/** Where each mode keeps sessions, when that is nodes of the cluster's. */
const MODE_NODES: Partial<Record<SessionMode, 'db' | 'memcached' | 'redis'>> = { db: 'db', memcached: 'memcached', redis: 'redis' };

/** The session modes CLUSTER can run: db needs DB nodes, memcached and redis their nodes. */
export function availableSessionModes(cluster: Pick<Cluster, 'db' | 'memcached' | 'redis'>): SessionMode[] {
  return SESSION_MODES.filter((m) => {
    const tier = MODE_NODES[m];
    return tier === undefined || cluster[tier].length > 0;
  });
}

/** Where the dashboard listens unless hactl dashboard --host says otherwise: it does not follow listen. */
export const DASHBOARD_HOST = '127.0.0.1';

/** The DB account every master replicates as. */
export const REPLICATION_USER = 'hactl_repl';

/** The DB account lb-db's mysql-check logs in as: no password, no privileges. */
export const DB_CHECK_USER = 'hactl_check';

/**
 * DB accounts the application's may not be: hactl's own (taking one over
 * breaks replication or the checks), and the administrators that
 * mariadb-install-db creates.
 */
export const RESERVED_DB_USERS: readonly string[] = [REPLICATION_USER, DB_CHECK_USER, 'root', 'mysql'];

/** The server's own schemas: granting the app ALL on one would give it root's password hashes. */
export const SYSTEM_SCHEMAS: readonly string[] = ['mysql', 'information_schema', 'performance_schema', 'sys'];

/** The balancers' names, which are also their folders, sockets and compose services. */
export const BALANCERS = ['lb-web', 'lb-db'] as const;

/**
 * Node names hactl uses for itself: a node named so would share a balancer's
 * compose service, socket and pid file, or the compose folder's run/. Every
 * lb- name is kept for balancers to come.
 */
export function reservedNodeName(name: string): string | undefined {
  if (name.startsWith('lb-')) return `names starting with "lb-" are kept for hactl's balancers (${BALANCERS.join(', ')})`;
  if (name === 'run') return '"run" is the folder of the nodes\' sockets';
  return undefined;
}
