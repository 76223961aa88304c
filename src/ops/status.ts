import { loadOrCreateSecrets } from '../secrets/store.js';
import type { Runtime } from '../spec/model.js';
import { collectStatus } from '../status/collect.js';
import type { ClusterStatus } from '../status/model.js';
import type { Runner } from '../util/runner.js';
import { openProject } from './open.js';
import type { Project } from './project.js';
import { driverFor } from '../drivers/select.js';

export async function clusterStatus(project: Project, options: { runtime?: Runtime | undefined }, runner: Runner): Promise<ClusterStatus> {
  const { cluster, runtime } = await openProject(project, options.runtime, runner);
  const secrets = loadOrCreateSecrets(project.stateDir);
  return collectStatus(cluster, runtime, await driverFor(runtime, project.stateDir, runner, cluster.name), secrets);
}
