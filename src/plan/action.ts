import type { NodeState } from '../spec/model.js';

/**
 * One step of a plan: data, with the reason a person reads in `--dry-run`.
 * The planner decides; a driver or an op only carries an action out.
 */
export type Action =
  | { kind: 'set-server-state'; lb: 'lb-web'; backend: string; server: string; state: NodeState; reason: string }
  | { kind: 'set-server-weight'; lb: 'lb-web'; backend: string; server: string; weight: number; reason: string };

/** The runtime API command that carries out a balancer's action. */
export function runtimeCommand(action: Action): string {
  switch (action.kind) {
    case 'set-server-state':
      return `set server ${action.backend}/${action.server} state ${action.state}`;
    case 'set-server-weight':
      return `set weight ${action.backend}/${action.server} ${action.weight}`;
  }
}
