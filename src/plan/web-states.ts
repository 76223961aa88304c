import type { ServerAdmin } from '../haproxy/servers-state.js';
import type { WebNode } from '../spec/model.js';
import type { ServerAction } from './action.js';

/**
 * What lb-web must be told so that each of NODES is in the state and has
 * the weight cluster.yaml gives it, seen what it says now (OBSERVED, its
 * servers in BACKEND): only what differs, nothing for a node it does not
 * have (its next reload brings it). Pure.
 */
export function planWebStates(nodes: readonly WebNode[], observed: readonly ServerAdmin[], backend: string): ServerAction[] {
  const seen = new Map(observed.filter((s) => s.backend === backend).map((s) => [s.name, s]));
  return nodes.flatMap((node): ServerAction[] => {
    const now = seen.get(node.name);
    if (!now) return [];
    const actions: ServerAction[] = [];
    if (now.state !== node.state) {
      actions.push({ kind: 'set-server-state', lb: 'lb-web', backend, server: node.name, state: node.state, reason: `${node.name} is ${now.state} in lb-web; cluster.yaml says ${node.state}` });
    }
    if (now.weight !== node.weight) {
      actions.push({ kind: 'set-server-weight', lb: 'lb-web', backend, server: node.name, weight: node.weight, reason: `${node.name} has weight ${now.weight} in lb-web; cluster.yaml says ${node.weight}` });
    }
    return actions;
  });
}
