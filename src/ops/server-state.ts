import type { Driver } from '../drivers/driver.js';
import { HactlError } from '../errors.js';
import { runtimeApiError, WEB_BACKEND } from '../haproxy/server-admin.js';
import { parseServersState } from '../haproxy/servers-state.js';
import { runtimeCommand, type ServerAction } from '../plan/action.js';
import { planWebStates } from '../plan/web-states.js';
import type { Cluster } from '../spec/model.js';

export async function balancerRunning(driver: Driver, cluster: Cluster, lb: 'lb-web' | 'lb-db'): Promise<boolean> {
  return (await driver.processes(cluster)).some((p) => p.name === lb && p.running);
}

/** Socket errors that mean no lb-web is listening (never started, stopped, crashed). */
const NOT_RUNNING = new Set(['ENOENT', 'ECONNREFUSED']);

/**
 * What a running lb-web must be told for its view of CLUSTER's web nodes
 * (all, or those in ONLY) to be what cluster.yaml says: the plan that
 * applyWebStates carries out and --dry-run shows. undefined when no lb-web
 * answers: cluster.yaml is then all there is, and its next start applies it.
 */
export async function planLbWebStates(driver: Driver, cluster: Cluster, only?: readonly string[]): Promise<ServerAction[] | undefined> {
  let answer: string;
  try {
    answer = await driver.balancerCommand('lb-web', `show servers state ${WEB_BACKEND}`);
  } catch (err) {
    if (NOT_RUNNING.has((err as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw err;
  }
  return planWebStates(cluster.web.filter((n) => !only || only.includes(n.name)), parseServersState(answer), WEB_BACKEND);
}

/** Carry out ACTIONS on lb-web, in order; a refusal is an error. */
export async function runLbWebActions(driver: Driver, actions: readonly ServerAction[]): Promise<void> {
  for (const action of actions) await lbWebCommand(driver, runtimeCommand(action));
}

/**
 * Tell a running lb-web the admin state and weight cluster.yaml gives each
 * web node (all, or those in ONLY), through the runtime API: no reload.
 * Applied after every start and reload too, so a state restored from the
 * server-state file never outlives cluster.yaml. The plan carried out;
 * undefined when lb-web is not running.
 */
export async function applyWebStates(driver: Driver, cluster: Cluster, only?: readonly string[]): Promise<ServerAction[] | undefined> {
  const plan = await planLbWebStates(driver, cluster, only);
  if (plan) await runLbWebActions(driver, plan);
  return plan;
}

/** One runtime API command to lb-web that changes something: its refusal is an error. */
async function lbWebCommand(driver: Driver, command: string): Promise<void> {
  const error = runtimeApiError(await driver.balancerCommand('lb-web', command));
  if (error) throw new HactlError(`lb-web refused "${command}": ${error}`);
}
