import { WEB_BACKEND } from '../haproxy/server-admin.js';
import type { Action, ProcessAction, SwapCertAction } from './action.js';
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
  const planned = planProcesses(desired.processes, observed.processes, options);
  const cert = certStep(desired, observed, planned);
  const processes = cert?.kind === 'reload' ? [...planned, cert] : planned;
  const lbWebRestarts = processes.some((a) => a.process === 'lb-web');
  const states: Action[] = lbWebRestarts
    ? [{ kind: 'sync-web-states', lb: 'lb-web', reason: 'once it runs (its saved states may differ)' }]
    : observed.lbWeb
      ? planWebStates(desired.cluster.web, observed.lbWeb, WEB_BACKEND)
      : [];
  return [...planWrites(observed.changed), ...(cert?.kind === 'swap-cert' ? [cert] : []), ...withReplication(processes, desired, observed.stalled), ...states];
}

/**
 * lb-web's certificate is not part of its config's hash: a new one on a
 * running lb-web that does not start, restart or reload anyway is swapped
 * through HAProxy's runtime API, or read by a graceful restart on Apache,
 * which has no such API. Once written: the next start reads the same.
 */
function certStep(desired: Desired, observed: Observed, processes: readonly ProcessAction[]): ProcessAction | SwapCertAction | undefined {
  const cert = observed.changed.find((f) => f.kind === 'cert');
  const lbWeb = desired.processes.find((p) => p.name === 'lb-web');
  if (!cert || !lbWeb || !observed.processes.get('lb-web')?.running || processes.some((a) => a.process === 'lb-web')) return undefined;
  if (desired.cluster.balancer.engine === 'apache') {
    return { kind: 'reload', process: 'lb-web', hash: lbWeb.hash, launch: lbWeb.launch, reason: 'its certificate changed; Apache reads it on a graceful restart' };
  }
  return { kind: 'swap-cert', lb: 'lb-web', file: cert.path, reason: 'its certificate changed: HAProxy takes it through its runtime API, without a reload' };
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
