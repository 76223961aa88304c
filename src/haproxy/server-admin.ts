import type { NodeState, WebNode } from '../spec/model.js';

/** lb-web's backend, as named in templates/haproxy-web.cfg.hbs. */
export const WEB_BACKEND = 'web';

const RUNTIME_STATE: Record<NodeState, string> = { ready: 'ready', drain: 'drain', maint: 'maint' };

/**
 * Runtime API commands that make lb-web's view of NODE what cluster.yaml
 * says: its admin state and its weight. Applied after every reload too, so
 * a state restored from the server-state file never outlives the file.
 */
export function webServerCommands(node: WebNode): string[] {
  return [`set server ${WEB_BACKEND}/${node.name} state ${RUNTIME_STATE[node.state]}`, `set weight ${WEB_BACKEND}/${node.name} ${node.weight}`];
}

/** The runtime API answers nothing on success, a sentence on failure. */
export function runtimeApiError(answer: string): string | undefined {
  const text = answer.trim();
  return text === '' ? undefined : text;
}
