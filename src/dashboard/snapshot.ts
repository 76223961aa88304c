import type { Project } from '../ops/project.js';
import { statusReader } from '../ops/status.js';
import { availableSessionModes, type Runtime } from '../spec/model.js';
import { conditionOf, type NodeStatusWord } from '../status/model.js';
import type { Runner } from '../util/runner.js';
import { problemOf } from './problem.js';
import type { DashboardSnapshot } from './snapshot-model.js';

/** A balancer reported on the node and checks it (it does not check a node in maintenance): its check result is current. */
const checkedNow = (status: NodeStatusWord) => !['stopped', 'unknown', 'maint'].includes(conditionOf(status));

/** Reads snapshots of one project: ops' status reader's readings, with what the page needs around them. */
export interface SnapshotReader {
  read(): Promise<DashboardSnapshot>;
  /** Let go of the kept DB connections (they would keep the process alive). */
  close(): void;
}

export async function snapshotReader(project: Project, runtimeOverride: Runtime | undefined, runner: Runner): Promise<SnapshotReader> {
  const reader = await statusReader(project, runtimeOverride, runner);
  const lastCheck = new Map<string, number>();
  const read = async (): Promise<DashboardSnapshot> => {
    const { status, cluster, configError } = await reader.read();
    const observedAt = Date.now();
    for (const n of status.nodes) if (checkedNow(n.status)) lastCheck.set(n.name, observedAt);
    return {
      ...status,
      session_mode: cluster.sessionMode,
      session_modes: availableSessionModes(cluster),
      check_interval_ms: cluster.health.intervalMs,
      observed_at: observedAt,
      last_check: Object.fromEntries(status.nodes.map((n) => [n.name, lastCheck.get(n.name) ?? null])),
      links: { site: status.endpoints.http, https: status.endpoints.https ?? null, conntest: `${status.endpoints.http}conntest`, stats: status.endpoints.stats },
      config_error: configError === null ? null : problemOf(configError),
    };
  };
  return { read, close: reader.close };
}
