import type { Driver } from '../drivers/driver.js';
import { HactlError } from '../errors.js';
import { runtimeApiError, WEB_BACKEND } from '../haproxy/server-admin.js';
import { parseServersState, type ServerAdmin } from '../haproxy/servers-state.js';
import { runtimeCommand, type ServerAction } from '../plan/action.js';
import { planWebStates } from '../plan/web-states.js';
import type { Cluster } from '../spec/model.js';

/** Socket errors that mean no lb-web is listening (never started, stopped, crashed). */
const NOT_RUNNING = new Set(['ENOENT', 'ECONNREFUSED']);

/** lb-web's web servers as its runtime API reports them; undefined when no lb-web answers. */
export async function readLbWebServers(driver: Driver): Promise<ServerAdmin[] | undefined> {
  try {
    return parseServersState(await driver.balancerCommand('lb-web', `show servers state ${WEB_BACKEND}`));
  } catch (err) {
    if (NOT_RUNNING.has((err as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw err;
  }
}

/** Carry out ACTIONS on lb-web, in order; a refusal is an error. */
export async function runLbWebActions(driver: Driver, actions: readonly ServerAction[]): Promise<void> {
  for (const action of actions) {
    const command = runtimeCommand(action);
    const error = runtimeApiError(await driver.balancerCommand('lb-web', command));
    if (error) throw new HactlError(`lb-web refused "${command}": ${error}`);
  }
}

/**
 * Tell a running lb-web the admin state and weight cluster.yaml gives each
 * web node, through the runtime API: no reload. After a start or a reload
 * (sync-web-states), so a state restored from the server-state file never
 * outlives cluster.yaml, and when a failed change is put back.
 */
export async function applyWebStates(driver: Driver, cluster: Cluster): Promise<void> {
  const servers = await readLbWebServers(driver);
  if (servers) await runLbWebActions(driver, planWebStates(cluster.web, servers, WEB_BACKEND));
}
