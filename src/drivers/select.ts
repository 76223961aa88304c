import type { Project } from '../ops/project.js';
import type { ConcreteRuntime } from '../spec/model.js';
import type { Runner } from '../util/runner.js';
import { ComposeDriver } from './compose/compose-driver.js';
import type { Driver } from './driver.js';
import { LocalDriver } from './local/local-driver.js';

/** CLUSTER names the compose project (and so its network and volumes). */
export function driverFor(runtime: ConcreteRuntime, project: Project, runner: Runner, cluster: string): Driver {
  return runtime === 'compose' ? new ComposeDriver(project.stateDir, runner, cluster) : new LocalDriver(project.stateDir, runner);
}
