import { resolveRuntime } from '../drivers/detect.js';
import { localLayout } from '../render/layout.js';
import { loadClusterModel } from '../spec/cached.js';
import type { Cluster, ConcreteRuntime, Runtime } from '../spec/model.js';
import { UNIX_SOCKET_PATH } from '../util/config-path.js';
import type { Runner } from '../util/runner.js';
import { assertSocketPaths, type Project } from './project.js';
import { recordedRuntime, runtimeFromRecord } from './runtime-record.js';

/**
 * Where every operation starts: the valid cluster.yaml, and the runtime it
 * runs on: the one recorded at its first up, else --runtime, else
 * cluster.yaml's (auto: what the machine has). FOR 'files' (render) may ask
 * for another runtime than the recorded one: it only writes files.
 */
export async function openProject(
  project: Project,
  runtimeOverride: Runtime | undefined,
  runner: Runner,
  purpose: 'cluster' | 'files' = 'cluster',
): Promise<{ cluster: Cluster; runtime: ConcreteRuntime; runtimeReason?: string }> {
  const cluster = await loadClusterModel(project.file, project.stateDir);
  const asked = runtimeOverride ?? cluster.runtime;
  const recorded = recordedRuntime(project.stateDir);
  const known = runtimeFromRecord(asked, runtimeOverride ? '--runtime' : 'cluster.yaml', purpose === 'cluster' ? recorded : undefined) ?? recorded?.runtime;
  const { runtime, reason } = known ? { runtime: known, reason: undefined } : await resolveRuntime(asked, runner);
  // The balancers' sockets were checked with the project; a DB node's socket carries its name too.
  if (runtime === 'local') {
    const layout = localLayout(project.stateDir);
    assertSocketPaths(cluster.db.flatMap((n) => layout.database(n.name)?.socket ?? []), UNIX_SOCKET_PATH);
  }
  return { cluster, runtime, ...(reason ? { runtimeReason: reason } : {}) };
}
