import type { Driver } from '../drivers/driver.js';
import { HactlError } from '../errors.js';
import { runtimeApiError, webServerCommands } from '../haproxy/server-admin.js';
import type { Cluster } from '../spec/model.js';

export async function balancerRunning(driver: Driver, cluster: Cluster, lb: 'lb-web' | 'lb-db'): Promise<boolean> {
  return (await driver.processes(cluster)).some((p) => p.name === lb && p.running);
}

/**
 * Tell a running lb-web the admin state and weight cluster.yaml gives each
 * web node (all, or those in ONLY), through the runtime API: no reload.
 */
export async function applyWebStates(driver: Driver, cluster: Cluster, only?: readonly string[]): Promise<boolean> {
  if (!(await balancerRunning(driver, cluster, 'lb-web'))) return false;
  for (const node of cluster.web.filter((n) => !only || only.includes(n.name))) {
    for (const command of webServerCommands(node)) await lbWebCommand(driver, command);
  }
  return true;
}

/** One runtime API command to lb-web that changes something: its refusal is an error. */
export async function lbWebCommand(driver: Driver, command: string): Promise<void> {
  const error = runtimeApiError(await driver.balancerCommand('lb-web', command));
  if (error) throw new HactlError(`lb-web refused "${command}": ${error}`);
}
