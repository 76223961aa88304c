import { HactlError } from '../errors.js';
import type { Project } from '../ops/project.js';
import type { ConcreteRuntime } from '../spec/model.js';
import type { Runner } from '../util/runner.js';
import type { Driver } from './driver.js';
import { LocalDriver } from './local/local-driver.js';

export function driverFor(runtime: ConcreteRuntime, project: Project, runner: Runner): Driver {
  if (runtime === 'compose') {
    throw new HactlError('the compose runtime is not implemented yet; use --runtime local (or runtime: local in cluster.yaml)');
  }
  return new LocalDriver(project.stateDir, runner);
}
