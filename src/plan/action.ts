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

/** A step of a live operation around the converge (wait for a node's sessions, stop it, detach a master). */
export interface OpStep {
  kind: 'step';
  on: string;
  what: string;
  reason: string;
}

/**
 * One step of a plan: data, with the reason a person reads in `--dry-run`.
 * The planner decides; a driver or an op only carries an action out.
 */
export type Action = ServerAction | ProcessAction | WriteAction | OpStep;

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
    case 'step':
      return { on: action.on, what: action.what };
    case 'reload':
      return { on: action.process, what: 'reload (hitless)' };
    default:
      return { on: action.process, what: action.kind };
  }
}
