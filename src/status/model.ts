/** One snapshot of a running cluster, shared by `hactl status` and the dashboard. */

export interface WebNodeStatus {
  type: 'web';
  name: string;
  address: string;
  port: number;
  /** UP, DOWN, DRAIN, MAINT, or a transition like "DOWN 1/2"; "STOPPED" when its process is not running and lb-web is gone. */
  status: string;
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

export interface DbNodeStatus {
  type: 'db';
  name: string;
  address: string;
  port: number;
  role: 'active' | 'backup';
  /** lb-db's view: UP, DOWN, … */
  status: string;
  process: 'running' | 'stopped';
  check: string;
  gtid_current_pos: string | null;
  replication: ReplicationLink[];
  /** "Synced", "Lagging 3 s", "Broken: <error>", "unreachable" */
  replication_summary: string;
}

export interface BalancerStatus {
  type: 'lb';
  name: 'lb-web' | 'lb-db';
  process: 'running' | 'stopped';
}

export type Health = 'healthy' | 'degraded' | 'down';

export interface ClusterStatus {
  cluster: string;
  runtime: string;
  health: Health;
  endpoints: { http: string; stats: string; db: string };
  nodes: (WebNodeStatus | DbNodeStatus)[];
  balancers: BalancerStatus[];
}
