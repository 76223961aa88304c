import { resolveRuntime } from '../drivers/detect.js';
import { loadClusterFile, type LoadedCluster } from '../spec/load.js';
import type { ConcreteRuntime, Runtime } from '../spec/model.js';
import type { Runner } from '../util/runner.js';
import type { Project } from './project.js';

/** Where every operation starts: the valid cluster.yaml, and the runtime it runs on (--runtime first). */
export async function openProject(
  project: Project,
  runtimeOverride: Runtime | undefined,
  runner: Runner,
): Promise<LoadedCluster & { runtime: ConcreteRuntime; runtimeReason?: string }> {
  const loaded = loadClusterFile(project.file);
  const { runtime, reason } = await resolveRuntime(runtimeOverride ?? loaded.cluster.runtime, runner);
  return { ...loaded, runtime, ...(reason ? { runtimeReason: reason } : {}) };
}
