/** The one typed model of a cluster that every part of hactl uses. */

export const RUNTIMES = ['auto', 'local', 'compose'] as const;
export type Runtime = (typeof RUNTIMES)[number];
/** A runtime after `auto` has been resolved. */
export type ConcreteRuntime = Exclude<Runtime, 'auto'>;

export const SESSION_MODES = ['none', 'sticky', 'db'] as const;
export type SessionMode = (typeof SESSION_MODES)[number];

export const NODE_STATES = ['ready', 'drain', 'maint'] as const;
export type NodeState = (typeof NODE_STATES)[number];

export type Tier = 'web' | 'db';

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

export interface Cluster {
  name: string;
  runtime: Runtime;
  balancer: { engine: 'haproxy' | 'apache' };
  sessionMode: SessionMode;
  listen: string;
  ports: { http: number; stats: number; db: number; dashboard: number; peers: number };
  health: { path: string; intervalMs: number; fall: number; rise: number };
  database: { name: string; user: string };
  web: WebNode[];
  db: DbNode[];
}

/**
 * Every master uses the same auto_increment_increment, fixed so that adding a
 * master never means reconfiguring the others; offsets (the node ids) stay
 * below it, which caps a cluster at this many DB nodes.
 */
export const MAX_DB_NODES = 10;
