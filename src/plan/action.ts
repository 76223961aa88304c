import type { ProcessStep } from '../drivers/driver.js';
import type { NodeState } from '../spec/model.js';

/** A command to a running balancer's runtime API: no reload, no restart. */
export type ServerAction =
  | { kind: 'set-server-state'; lb: 'lb-web'; backend: string; server: string; state: NodeState; reason: string }
  | { kind: 'set-server-weight'; lb: 'lb-web'; backend: string; server: string; weight: number; reason: string };

/** What a runtime does to one of its processes (a node or a balancer). */
export interface ProcessAction {
  kind: ProcessStep;
  process: string;
  reason: string;
}

/** A config file that differs from what the processes read now. */
export interface WriteAction {
  kind: 'write';
  file: string;
  reason: string;
}

/** Wait until a node drained in lb-web has no session left, or TIMEOUT_S (remove web). */
export interface WaitIdleAction {
  kind: 'wait-idle';
  node: string;
  timeoutS: number;
  reason: string;
}

/** Stop a process and forget it (remove). */
export interface StopAction {
  kind: 'stop';
  process: string;
  reason: string;
}

/** The other masters stop replicating from a DB node once they hold all it wrote (remove db). */
export interface DetachAction {
  kind: 'detach';
  node: string;
  reason: string;
}

/** Remove what an earlier node of the same name left (add db: its data is not a copy of the cluster). */
export interface RemoveLeftoverAction {
  kind: 'remove-leftover';
  node: string;
  reason: string;
}

/**
 * One step of a plan: data, with the reason a person reads in `--dry-run`.
 * The planner decides; a driver or an op only carries an action out.
 */
export type Action = ServerAction | ProcessAction | WriteAction | WaitIdleAction | StopAction | DetachAction | RemoveLeftoverAction;

export function isProcessAction(action: Action): action is ProcessAction {
  return action.kind === 'start' || action.kind === 'restart' || action.kind === 'reload';
}

/** The runtime API command that carries out a balancer's action. */
export function runtimeCommand(action: ServerAction): string {
  switch (action.kind) {
    case 'set-server-state':
      return `set server ${action.backend}/${action.server} state ${action.state}`;
    case 'set-server-weight':
      return `set weight ${action.backend}/${action.server} ${action.weight}`;
  }
}

/** Where an action happens and what it is, in a few words: a plan's table. */
export function describeAction(action: Action): { on: string; what: string } {
  switch (action.kind) {
    case 'set-server-state':
    case 'set-server-weight':
      return { on: action.lb, what: runtimeCommand(action) };
    case 'write':
      return { on: 'config', what: `write ${action.file}` };
    case 'wait-idle':
      return { on: action.node, what: `wait until its sessions end (at most ${action.timeoutS} s)` };
    case 'detach':
      return { on: action.node, what: 'detach from replication' };
    case 'remove-leftover':
      return { on: action.node, what: 'remove what an earlier node of this name left' };
    case 'reload':
      return { on: action.process, what: 'reload (hitless)' };
    default:
      return { on: action.process, what: action.kind };
  }
}
