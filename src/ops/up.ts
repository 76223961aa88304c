import type { Driver, Progress, UpResult } from '../drivers/driver.js';
import { driverFor } from '../drivers/select.js';
import { renderCluster } from '../render/index.js';
import { loadTemplateSources } from '../render/templates.js';
import { loadOrCreateSecrets } from '../secrets/store.js';
import type { Cluster, ConcreteRuntime, Runtime } from '../spec/model.js';
import { endpointsOf, type Endpoints } from '../spec/endpoints.js';
import type { Runner } from '../util/runner.js';
import { withLock } from './lock.js';
import { openProject } from './open.js';
import type { Project } from './project.js';
import { targetFor } from './render.js';
import { requireBinaries } from './requirements.js';

export interface UpSummary extends UpResult {
  runtime: ConcreteRuntime;
  endpoints: Endpoints;
}

/**
 * Converge the running cluster to cluster.yaml, under the cluster's lock.
 * BEFORE runs first under the same lock (restart stops its node there), so
 * no other command can come in between.
 */
export async function up(
  project: Project,
  options: { runtime?: Runtime | undefined; install?: boolean },
  runner: Runner,
  progress: Progress,
  before?: (driver: Driver, cluster: Cluster) => Promise<void>,
): Promise<UpSummary> {
  const { cluster, runtime } = await openProject(project, options.runtime, runner);
  const driver = driverFor(runtime, project, runner);
  await requireBinaries(runtime, runner, options.install === true, progress);
  return withLock(project.stateDir, 'up', async () => {
    await before?.(driver, cluster);
    const secrets = loadOrCreateSecrets(project.stateDir);
    const files = renderCluster(cluster, secrets, targetFor(runtime, project), loadTemplateSources());
    const result = await driver.up(cluster, secrets, files, progress);
    return { ...result, runtime, endpoints: endpointsOf(cluster) };
  });
}

export async function down(project: Project, options: { runtime?: Runtime | undefined; purge: boolean }, runner: Runner, progress: Progress): Promise<string[]> {
  const { runtime } = await openProject(project, options.runtime, runner);
  return withLock(project.stateDir, 'down', () => driverFor(runtime, project, runner).down({ purge: options.purge }, progress));
}

