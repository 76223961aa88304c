// Types only: the page's scripts import them too (tsconfig.client.json).
import type { SessionMode } from '../spec/model.js';
import type { ClusterStatus } from '../status/model.js';

/** An error with its lines: a HactlError's message, then each of its details. */
export interface Problem {
  message: string;
  details: readonly string[];
}

/** What the page shows: hactl status's snapshot, and what the page needs around it. */
export interface DashboardSnapshot extends ClusterStatus {
  session_mode: SessionMode;
  /** The modes this cluster can switch to (db needs DB nodes, memcached its nodes). */
  session_modes: SessionMode[];
  /** lb-web's check interval: how old a check result read from it can be. */
  check_interval_ms: number;
  /** When hactl read this snapshot (epoch ms). */
  observed_at: number;
  /** Per node: when hactl last read a check result for it from its balancer (epoch ms), null if never. */
  last_check: Record<string, number | null>;
  links: { site: string; https: string | null; conntest: string; stats: string };
  /** cluster.yaml as it is now does not load: the last valid one is shown, with this error. */
  config_error: Problem | null;
}
