import type { Runner } from '../util/runner.js';
import { driverFor } from '../drivers/select.js';
import type { Driver } from '../drivers/driver.js';
import { openProject } from '../ops/open.js';
import type { Project } from '../ops/project.js';
import { loadOrCreateSecrets } from '../secrets/store.js';
import { loadClusterFile } from '../spec/load.js';
import type { Cluster, ConcreteRuntime, Runtime } from '../spec/model.js';
import { collectStatus } from '../status/collect.js';
import type { DashboardSnapshot } from './snapshot-model.js';
import { statSync } from 'node:fs';

/** A balancer reported on the node: its check result is current. */
const checkedNow = (status: string) => status !== 'STOPPED' && status !== 'UNKNOWN';

/**
 * Reads snapshots of one project: cluster.yaml again only when it changed
 * (the dashboard reads several times a second), the runtime resolved once.
 */
export async function snapshotReader(project: Project, runtimeOverride: Runtime | undefined, runner: Runner): Promise<() => Promise<DashboardSnapshot>> {
  const opened = await openProject(project, runtimeOverride, runner);
  const runtime: ConcreteRuntime = opened.runtime;
  let cluster: Cluster = opened.cluster;
  let mtime = statSync(project.file).mtimeMs;
  let configError: string | null = null;
  let driver: Driver = driverFor(runtime, project, runner, cluster.name);
  const lastCheck = new Map<string, number>();

  return async () => {
    const now = statSync(project.file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    if (now !== mtime) {
      mtime = now;
      try {
        const next = loadClusterFile(project.file).cluster;
        if (next.name !== cluster.name) driver = driverFor(runtime, project, runner, next.name);
        cluster = next;
        configError = null;
      } catch (err) {
        configError = (err as Error).message;
      }
    }
    const status = await collectStatus(cluster, runtime, driver, loadOrCreateSecrets(project.stateDir));
    const observedAt = Date.now();
    for (const n of status.nodes) if (checkedNow(n.status)) lastCheck.set(n.name, observedAt);
    return {
      ...status,
      session_mode: cluster.sessionMode,
      check_interval_ms: cluster.health.intervalMs,
      observed_at: observedAt,
      last_check: Object.fromEntries(status.nodes.map((n) => [n.name, lastCheck.get(n.name) ?? null])),
      links: { site: status.endpoints.http, conntest: `${status.endpoints.http}conntest`, stats: status.endpoints.stats },
      config_error: configError,
    };
  };
}
