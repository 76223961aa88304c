import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { badInput } from '../errors.js';
import type { Engine, NodeState, SessionMode, StoreTier, Tier } from './model.js';
import { newNodeProblems } from './check.js';
import type { YamlSource } from './yaml-source.js';

/**
 * Changes to cluster.yaml, made as small splices of the user's own text
 * (see YamlSource), so that comments, key order and formatting survive.
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

export interface NewStoreNode {
  name: string;
  host?: string;
  port?: number;
}

export interface NewDbNode {
  name: string;
  host?: string;
  port?: number;
  id?: number;
}

function itemName(item: unknown): unknown {
  if (isScalar(item)) return item.value;
  if (isMap(item)) return item.get('name');
  return undefined;
}

function findNode(src: YamlSource, tier: Tier | StoreTier, name: string): { item: Node; index: number } {
  const list = src.node([tier]);
  const items = isSeq(list) ? (list.items as Node[]) : [];
  const index = items.findIndex((it) => itemName(it) === name);
  if (index < 0) throw badInput(`there is no ${tier} node named ${JSON.stringify(name)} in cluster.yaml`);
  return { item: items[index]!, index };
}

/** Drop unset fields: what is left out keeps its default. */
function defined(fields: object): Record<string, string | number> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

export function addNode(src: YamlSource, tier: 'web', node: NewWebNode): void;
export function addNode(src: YamlSource, tier: 'db', node: NewDbNode): void;
export function addNode(src: YamlSource, tier: StoreTier, node: NewStoreNode): void;
export function addNode(src: YamlSource, tier: Tier | StoreTier, node: NewWebNode | NewDbNode | NewStoreNode): void {
  const fields = defined(node);
  const problems = newNodeProblems(tier, fields);
  if (problems.length > 0) throw badInput(`the new ${tier === 'web' ? 'web' : tier === 'db' ? 'DB' : tier} node is not valid; nothing was changed`, problems);
  const list = src.node([tier]);
  const items = isSeq(list) ? list.items : [];
  // Follow the file's own style: a list of bare names stays one when it can.
  const short = Object.keys(fields).length === 1 && items.every((it) => isScalar(it));
  src.append([tier], short ? node.name : fields);
}

export function removeNode(src: YamlSource, tier: Tier | StoreTier, name: string): void {
  src.remove([tier], findNode(src, tier, name).index);
}

/** Set a field of a node, turning a bare name into `{name: …, field: …}` when needed. */
function setNodeField(src: YamlSource, tier: Tier, name: string, key: string, value: string | number): void {
  const { item, index } = findNode(src, tier, name);
  if (isMap(item)) src.setKey([tier, index], key, value);
  else src.replace([tier, index], { name, [key]: value });
}

export function setNodeState(src: YamlSource, name: string, state: NodeState): void {
  const { item } = findNode(src, 'web', name);
  // "ready" is the default: a node without a state key is already ready.
  if (state === 'ready' && !(isMap(item) && item.has('state'))) return;
  setNodeField(src, 'web', name, 'state', state);
}

export function setNodeWeight(src: YamlSource, name: string, weight: number): void {
  setNodeField(src, 'web', name, 'weight', weight);
}

export function setSessionMode(src: YamlSource, mode: SessionMode): void {
  src.setKey([], 'session_mode', mode);
}

/** balancer.engine, balancer.trace: lb-web's engine and its trace log. */
export function setBalancer(src: YamlSource, key: 'engine' | 'trace', value: Engine | boolean): void {
  src.setKeyIn('balancer', key, value);
}
