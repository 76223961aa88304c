import { WEB_BACKEND } from '../haproxy/server-admin.js';
import type { Action } from './action.js';
import type { Desired, Observed } from './observed.js';
import { planProcesses, planWrites } from './processes.js';
import { planWebStates } from './web-states.js';

export interface ConvergeOptions {
  /** Reload both balancers even when their configuration is unchanged (hactl reload). */
  reloadBalancers?: boolean | undefined;
}

/**
 * What makes the running cluster what cluster.yaml says (up): write the
 * files that changed, start, restart or reload the processes, then bring
 * lb-web's view of each node (state, weight) in line. A lb-web that starts
 * or reloads is told after, whatever it says now. Pure.
 */
export function planConverge(desired: Desired, observed: Observed, options: ConvergeOptions = {}): Action[] {
  const processes = planProcesses(desired.processes, observed.processes, options);
  const lbWebRestarts = processes.some((a) => a.process === 'lb-web');
  const states: Action[] = lbWebRestarts
    ? [{ kind: 'sync-web-states', lb: 'lb-web', reason: `once it runs: its server-state file may hold other states` }]
    : observed.lbWeb
      ? planWebStates(desired.cluster.web, observed.lbWeb, WEB_BACKEND)
      : [];
  return [...planWrites(observed.changed), ...processes, ...states];
}
