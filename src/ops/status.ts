import { resolveRuntime } from '../drivers/detect.js';
import { loadOrCreateSecrets } from '../secrets/store.js';
import { loadClusterFile } from '../spec/load.js';
import type { Runtime } from '../spec/model.js';
import { collectStatus } from '../status/collect.js';
import type { ClusterStatus } from '../status/model.js';
import type { Runner } from '../util/runner.js';
import type { Project } from './project.js';
import { driverFor } from '../drivers/select.js';

export async function clusterStatus(project: Project, options: { runtime?: Runtime | undefined }, runner: Runner): Promise<ClusterStatus> {
  const { cluster } = loadClusterFile(project.file);
  const runtime = await resolveRuntime(options.runtime ?? cluster.runtime, runner);
  const secrets = loadOrCreateSecrets(project.stateDir);
  return collectStatus(cluster, runtime, driverFor(runtime, project, runner), secrets);
}
