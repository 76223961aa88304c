import { resolveRuntime } from '../drivers/detect.js';
import { localLayout } from '../render/layout.js';
import { loadClusterFile, type LoadedCluster } from '../spec/load.js';
import type { ConcreteRuntime, Runtime } from '../spec/model.js';
import { UNIX_SOCKET_PATH } from '../util/config-path.js';
import type { Runner } from '../util/runner.js';
import { assertSocketPaths, type Project } from './project.js';

/** Where every operation starts: the valid cluster.yaml, and the runtime it runs on (--runtime first). */
export async function openProject(
  project: Project,
  runtimeOverride: Runtime | undefined,
  runner: Runner,
): Promise<LoadedCluster & { runtime: ConcreteRuntime; runtimeReason?: string }> {
  const loaded = loadClusterFile(project.file);
  const { runtime, reason } = await resolveRuntime(runtimeOverride ?? loaded.cluster.runtime, runner);
  // The balancers' sockets were checked with the project; a DB node's socket carries its name too.
  if (runtime === 'local') {
    const layout = localLayout(project.stateDir);
    assertSocketPaths(loaded.cluster.db.flatMap((n) => layout.database(n.name)?.socket ?? []), UNIX_SOCKET_PATH);
  }
  return { ...loaded, runtime, ...(reason ? { runtimeReason: reason } : {}) };
}
