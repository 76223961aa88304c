import { appendEvents, type StateEvent } from '../events/log.js';
import type { ClusterStatus } from '../status/model.js';
import { advance } from '../status/transitions.js';

/** How often the cluster is read when no page listens (with one, the feed's own readings are used). */
const MONITOR_INTERVAL_MS = 1000;

/**
 * The dashboard process watches the cluster as long as it runs, pages open
 * or not: each change of state it sees (a node DOWN, back UP, lb-db's
 * writer moving, a replication link broken …) is appended to the event
 * log. READ gives the newest snapshot (the live feed's).
 */
export function startMonitor(read: () => Promise<ClusterStatus>, stateDir: string, intervalMs = MONITOR_INTERVAL_MS): { stop(): void } {
  let known = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = async (): Promise<void> => {
    try {
      const status = await read();
      const next = advance(known, status);
      known = next.known;
      const at = new Date().toISOString();
      appendEvents(stateDir, next.changes.map((c): StateEvent => ({ at, type: 'state', ...c })));
    } catch {
      // A reading that fails (the cluster down, cluster.yaml mid-edit) says nothing of a change; the next one may.
    }
    if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
  };
  timer = setTimeout(() => void tick(), 0);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
