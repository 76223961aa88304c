import type { Driver, Progress } from '../drivers/driver.js';
import { driverFor } from '../drivers/select.js';
import type { ConcreteRuntime, Runtime } from '../spec/model.js';
import type { Runner } from '../util/runner.js';
import { openProject } from './open.js';
import { processActor, type Actor } from './record.js';
import type { Project } from './project.js';

/** What every operation on a cluster works with. */
export interface OpContext {
  project: Project;
  runtime: ConcreteRuntime;
  driver: Driver;
  runner: Runner;
  progress: Progress;
  /** Install missing programs (--install) when the cluster is to be started. */
  install: boolean;
  /** Only a plan is asked for (--dry-run, hactl plan): nothing is made, not even a certificate. */
  dryRun: boolean;
  /** Who asked, recorded with each apply in the history. */
  actor: Actor;
}

export interface OpOptions {
  runtime?: Runtime | undefined;
  install?: boolean;
  dryRun?: boolean | undefined;
  /** The dashboard's user and action; the command line and its user by default. */
  actor?: Actor | undefined;
}

/** Validate cluster.yaml, pick the runtime and its driver. */
export async function openContext(project: Project, options: OpOptions, runner: Runner, progress: Progress): Promise<OpContext> {
  const { cluster, runtime, runtimeReason } = await openProject(project, options.runtime, runner);
  if (runtimeReason) progress('runtime', `auto: ${runtime}, because ${runtimeReason} (--runtime overrides)`);
  const driver = await driverFor(runtime, project.stateDir, runner, cluster);
  return { project, runtime, driver, runner, progress, install: options.install === true, dryRun: options.dryRun === true, actor: options.actor ?? processActor() };
}
