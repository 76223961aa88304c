import type { Engine, StoreTier } from '../spec/model.js';
import type { AgentAnswer } from './db-agent.js';

/** One snapshot of a running cluster, shared by `hactl status` and the dashboard. */

/** A check on its way to the other side: "UP 1/2" is UP, failing; "DOWN 1/3" is DOWN, passing. */
type Transition = `${'UP' | 'DOWN' | 'NOLB'} ${number}/${number}`;

/**
 * A node's status: HAProxy's word for the server (MAINT and DRAIN may say
 * why, "MAINT (resolution)"), or hactl's own when no balancer answers for
 * it: STOPPED (its process is not running), UNKNOWN (running, not seen).
 */
export type NodeStatusWord = 'UP' | 'DOWN' | 'NOLB' | 'DRAIN' | 'MAINT' | 'UP (no check)' | 'STOPPED' | 'UNKNOWN' | Transition | `MAINT${string}` | `DRAIN${string}`;

/** What a status word means for the cluster: read here only, not by comparing strings elsewhere. */
export type Condition = 'up' | 'failing' | 'drain' | 'maint' | 'down' | 'stopped' | 'unknown';

export function conditionOf(status: NodeStatusWord): Condition {
  if (status === 'UP' || status === 'UP (no check)') return 'up';
  if (status === 'STOPPED') return 'stopped';
  if (status === 'UNKNOWN') return 'unknown';
  if (status.startsWith('DRAIN')) return 'drain';
  if (status.startsWith('MAINT')) return 'maint';
  if (status.startsWith('UP ') || status.startsWith('NOLB')) return 'failing';
  return 'down';
}

/** A DB node's replication, summed up: "Synced", "Lagging 3 s", "Broken: <error>", … */
export type ReplicationSummary = 'Synced' | 'unreachable' | 'no replication' | `Lagging ${number} s` | `Broken: ${string}`;

/**
 * Where a node's process is, to find it or kill it as a crash would: a
 * local process leads a process group of its own (pid = pgid), a compose
 * node is a container. Null where the runtime has none, or it is not running.
 */
export interface ProcessIds {
  pid: number | null;
  pgid: number | null;
  container: string | null;
  /** When hactl started it (ISO 8601); local only. */
  started_at: string | null;
}

export interface WebNodeStatus extends ProcessIds {
  type: 'web';
  name: string;
  address: string;
  port: number;
  status: NodeStatusWord;
  /** The engine's own flags beside the status word: Apache's ("Init Drn Ok"); null on HAProxy. */
  flags: string | null;
  process: 'running' | 'stopped';
  check: string;
  since_change_s: number | null;
  sessions: number | null;
  weight: number | null;
}

export interface ReplicationLink {
  from: string;
  io_running: string;
  sql_running: string;
  seconds_behind: number | null;
  gtid_io_pos: string;
  last_error: string;
}

export interface DbNodeStatus extends ProcessIds {
  type: 'db';
  name: string;
  address: string;
  port: number;
  /** active: the master lb-db writes to (its writer entry, or the one it will pick). */
  role: 'active' | 'backup';
  /** lb-db's view. */
  status: NodeStatusWord;
  /** Why lb-db does not use it, in the agent's words: "DRAIN: 14 s behind mysql2"; null when nothing is wrong. */
  reason: string | null;
  /** Its health agent's last answer; null when it never answered. */
  agent: AgentAnswer | null;
  /** Only the active master takes writes; null when it cannot be asked. */
  read_only: boolean | null;
  process: 'running' | 'stopped';
  check: string;
  gtid_current_pos: string | null;
  replication: ReplicationLink[];
  replication_summary: ReplicationSummary;
}

/** A session store node (memcached, redis) or a Redis Sentinel: its process, as its runtime sees it. */
export interface StoreNodeStatus extends ProcessIds {
  type: 'store';
  store: StoreTier;
  name: string;
  address: string;
  port: number;
  status: 'UP' | 'STOPPED';
  process: 'running' | 'stopped';
  /**
   * A Redis node as lb-db's check finds it: primary (it passes: sessions go
   * there), replica (it answers, and is not the primary); null when stopped
   * or lb-db does not say. Undefined for the other kinds.
   */
  role?: 'primary' | 'replica' | null;
}

export interface BalancerStatus extends ProcessIds {
  type: 'lb';
  name: 'lb-web' | 'lb-db';
  process: 'running' | 'stopped';
}

export interface TlsStatus {
  /** own: hactl's CA; set: hactl cert set; file: cluster.yaml's tls.cert. */
  source: 'own' | 'set' | 'file';
  subject: string;
  names: string[];
  not_after: string;
  days_left: number;
  /** Fewer than 30 days left, or expired. */
  expiring: boolean;
  fingerprint: string;
}

export type Health = 'healthy' | 'degraded' | 'down';

export interface ClusterStatus {
  cluster: string;
  runtime: string;
  /** lb-web's engine. */
  engine: Engine;
  health: Health;
  /** Why it is not healthy, one line per cause; empty when healthy. */
  health_reasons: string[];
  endpoints: { http: string; https?: string; stats: string; db: string };
  /** The certificate lb-web serves (tls: in cluster.yaml); null without tls, or none made yet. */
  tls: TlsStatus | null;
  nodes: (WebNodeStatus | DbNodeStatus)[];
  /** The running version of the history (the last applied) and what differs from it now; null before the first apply. */
  history?: HistoryStatus | null;
  /** Session store nodes (memcached:, redis:) and Sentinels (sentinel:); empty without them. */
  stores: StoreNodeStatus[];
  balancers: BalancerStatus[];
}

/** Drift: what differs from the running version now. */
export interface HistoryStatus {
  running_version: number;
  /** cluster.yaml describes another cluster (or is not valid): up would change something. */
  cluster_yaml_changed: boolean;
  /** Rendered files on disk that are not as the running version wrote them (changed by hand, or gone). */
  files_changed: string[];
}
