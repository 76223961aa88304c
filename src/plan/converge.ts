import { WEB_BACKEND } from '../haproxy/server-admin.js';
import type { Action, ProcessAction } from './action.js';
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
    ? [{ kind: 'sync-web-states', lb: 'lb-web', reason: 'once it runs (its saved states may differ)' }]
    : observed.lbWeb
      ? planWebStates(desired.cluster.web, observed.lbWeb, WEB_BACKEND)
      : [];
  return [...planWrites(observed.changed), ...withReplication(processes, desired, observed.stalled), ...states];
}

/**
 * After the last DB node that starts or restarts (they come first), or
 * where a connection between running masters stands still:
 * replication, before lb-db.
 */
function withReplication(processes: ProcessAction[], desired: Desired, stalled: Observed['stalled']): Action[] {
  const db = new Set(desired.processes.filter((p) => p.kind === 'db').map((p) => p.name));
  const starting = processes.flatMap((a) => (a.kind !== 'reload' && db.has(a.process) ? [a.process] : []));
  const standing = stalled.filter((l) => db.has(l.node) && db.has(l.from));
  if (starting.length === 0 && standing.length === 0) return processes;
  const reasons = [
    ...(starting.length > 0 ? [`${starting.join(', ')} ${starting.length === 1 ? 'starts' : 'start'}`] : []),
    ...standing.map((l) => `${l.node} does not replicate from ${l.from} (${l.why})`),
  ];
  const at = processes.map((a) => db.has(a.process)).lastIndexOf(true) + 1;
  const replicate: Action = { kind: 'replicate', nodes: [...new Set([...starting, ...standing.map((l) => l.node)])], reason: reasons.join('; ') };
  return [...processes.slice(0, at), replicate, ...processes.slice(at)];
}
