import type { Cluster, ConcreteRuntime } from '../spec/model.js';
import type { Runner } from '../util/runner.js';
import type { Driver } from './driver.js';

/** CLUSTER names the compose project (and so its network and volumes) and its containers. Only the runtime's own driver is loaded. */
export async function driverFor(runtime: ConcreteRuntime, stateDir: string, runner: Runner, cluster: Pick<Cluster, 'name' | 'compose'>): Promise<Driver> {
  if (runtime === 'compose') return new (await import('./compose/compose-driver.js')).ComposeDriver(stateDir, runner, cluster.name, cluster.compose.containerPrefix);
  return new (await import('./local/local-driver.js')).LocalDriver(stateDir, runner);
}
