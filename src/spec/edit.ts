import { isMap, isScalar, isSeq, type Document, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { badInput } from '../errors.js';
import type { NodeState, SessionMode, Tier } from './model.js';

/**
 * Changes made in the user's YAML Document itself, so that comments, key
 * order and formatting survive. Each function changes the document only;
 * editClusterFile() validates the result before anything is written.
 */

export interface NewWebNode {
  name: string;
  host?: string;
  port?: number;
  cookie?: string;
  weight?: number;
  state?: NodeState;
}

export interface NewDbNode {
  name: string;
  host?: string;
  port?: number;
  id?: number;
}

function nodeList(doc: Document, tier: Tier): YAMLSeq | undefined {
  const list = doc.get(tier, true);
  return isSeq(list) ? list : undefined;
}

function itemName(item: unknown): unknown {
  if (isScalar(item)) return item.value;
  if (isMap(item)) return item.get('name');
  return undefined;
}

function findNode(doc: Document, tier: Tier, name: string): { list: YAMLSeq; index: number } {
  const list = nodeList(doc, tier);
  const index = list ? list.items.findIndex((it) => itemName(it) === name) : -1;
  if (!list || index < 0) throw badInput(`there is no ${tier} node named ${JSON.stringify(name)} in cluster.yaml`);
  return { list, index };
}

/** Drop unset fields: what is left out keeps its default. */
function defined(fields: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

export function addNode(doc: Document, tier: 'web', node: NewWebNode): void;
export function addNode(doc: Document, tier: 'db', node: NewDbNode): void;
export function addNode(doc: Document, tier: Tier, node: NewWebNode | NewDbNode): void {
  const fields = defined(node);
  let list = nodeList(doc, tier);
  if (!list) {
    doc.set(tier, doc.createNode([]));
    list = nodeList(doc, tier)!;
  }
  // Follow the file's own style: a list of bare names stays one when it can.
  const shortList = list.items.length > 0 && list.items.every((it) => isScalar(it));
  const short = Object.keys(fields).length === 1 && (shortList || list.items.length === 0);
  list.add(doc.createNode(short ? node.name : fields));
}

export function removeNode(doc: Document, tier: Tier, name: string): void {
  const { list, index } = findNode(doc, tier, name);
  list.items.splice(index, 1);
}

/** The node's mapping, turning a bare name into `{name: …}` when a field must be set. */
function nodeMap(doc: Document, tier: Tier, name: string): YAMLMap {
  const { list, index } = findNode(doc, tier, name);
  const item = list.items[index];
  if (isMap(item)) return item;
  const map = doc.createNode({ name }) as YAMLMap;
  if (isScalar(item)) {
    // Keep a comment that was written on the bare name.
    map.commentBefore = item.commentBefore;
    map.comment = item.comment;
  }
  list.items[index] = map;
  return map;
}

/** Set KEY of MAP, keeping the comment on the old value when there is one. */
function setValue(map: YAMLMap | Document, key: string, value: string | number): void {
  const current = map.get(key, true) as Node | undefined;
  if (isScalar(current)) current.value = value;
  else map.set(key, value);
}

export function setNodeState(doc: Document, name: string, state: NodeState): void {
  const { list, index } = findNode(doc, 'web', name);
  const item = list.items[index];
  // "ready" is the default: a node without a state key is already ready.
  if (state === 'ready' && !(isMap(item) && item.has('state'))) return;
  setValue(nodeMap(doc, 'web', name), 'state', state);
}

export function setNodeWeight(doc: Document, name: string, weight: number): void {
  setValue(nodeMap(doc, 'web', name), 'weight', weight);
}

export function setSessionMode(doc: Document, mode: SessionMode): void {
  setValue(doc, 'session_mode', mode);
}
