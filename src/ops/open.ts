import { resolveRuntime } from '../drivers/detect.js';
import { localLayout } from '../render/layout.js';
import { loadClusterFile, type LoadedCluster } from '../spec/load.js';
import type { ConcreteRuntime, Runtime } from '../spec/model.js';
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
): Promise<LoadedCluster & { runtime: ConcreteRuntime; runtimeReason?: string }> {
  const loaded = loadClusterFile(project.file);
  const asked = runtimeOverride ?? loaded.cluster.runtime;
  const recorded = recordedRuntime(project.stateDir);
  const known = runtimeFromRecord(asked, runtimeOverride ? '--runtime' : 'cluster.yaml', purpose === 'cluster' ? recorded : undefined) ?? recorded?.runtime;
  const { runtime, reason } = known ? { runtime: known, reason: undefined } : await resolveRuntime(asked, runner);
  // The balancers' sockets were checked with the project; a DB node's socket carries its name too.
  if (runtime === 'local') {
    const layout = localLayout(project.stateDir);
    assertSocketPaths(loaded.cluster.db.flatMap((n) => layout.database(n.name)?.socket ?? []), UNIX_SOCKET_PATH);
  }
  return { ...loaded, runtime, ...(reason ? { runtimeReason: reason } : {}) };
}
