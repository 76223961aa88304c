import type { RenderedFile } from '../render/index.js';
import type { NodeState } from '../spec/model.js';
import type { ProcessStep } from './observed.js';

/** A command to a running balancer's runtime API: no reload, no restart. */
export type ServerAction =
  | { kind: 'set-server-state'; lb: 'lb-web'; backend: string; server: string; state: NodeState; reason: string }
  | { kind: 'set-server-weight'; lb: 'lb-web'; backend: string; server: string; weight: number; reason: string };

/**
 * After lb-web starts or reloads (its server-state file brings back what it
 * had), tell it the states and weights cluster.yaml gives: what to send is
 * known only once it runs.
 */
export interface SyncWebStatesAction {
  kind: 'sync-web-states';
  lb: 'lb-web';
  reason: string;
}

/** What a runtime does to one of its processes (a node or a balancer). */
export interface ProcessAction {
  kind: ProcessStep;
  process: string;
  /** What it reads and how it is run afterwards: recorded once the step is done. */
  hash: string;
  launch: string;
  reason: string;
}

/**
 * Once the DB nodes that start answer, and before lb-db sees them: the
 * replication users and the app's database on every master, the
 * master-master connections, and a node with new, empty data cloned from
 * a live master first.
 */
export interface ReplicateAction {
  kind: 'replicate';
  /** The DB nodes whose start makes it due. */
  nodes: string[];
  reason: string;
}

/** A config file that differs from what the processes read now. */
export interface WriteAction {
  kind: 'write';
  file: string;
  fileKind: RenderedFile['kind'];
  reason: string;
}

/**
 * Wait until a node drained in lb-web has no session left and none was
 * assigned to it for QUIET_S, or TIMEOUT_S (remove web).
 */
export interface WaitIdleAction {
  kind: 'wait-idle';
  node: string;
  timeoutS: number;
  quietS: number;
  reason: string;
}

/** Stop a process and forget it (remove, restart). */
export interface StopAction {
  kind: 'stop';
  process: string;
  reason: string;
}

/**
 * The masters in FROM stop replicating from a DB node; when it still runs,
 * once they hold all it wrote (remove db).
 */
export interface DetachAction {
  kind: 'detach';
  node: string;
  from: string[];
  waitCaughtUp: boolean;
  reason: string;
}

/** Remove what an earlier node of the same name left (add db, clean). */
export interface RemoveLeftoverAction {
  kind: 'remove-leftover';
  node: string;
  paths: string[];
  reason: string;
}

/**
 * Move lb-db's writer from FROM (null: none is usable) to TO: FROM
 * read-only, TO has applied all FROM wrote, lb-db's entry names TO and
 * FROM's connections end, TO writable (hactl switchover, remove db of the
 * active master). OTHERS are the remaining masters, kept out of lb-db's
 * pick meanwhile.
 */
export interface MoveWriterAction {
  kind: 'move-writer';
  from: string | null;
  to: string;
  others: string[];
  reason: string;
}

/**
 * Give a running HAProxy lb-web the certificate FILE now holds through its
 * runtime API (set ssl cert, commit ssl cert): no reload, no connection
 * touched. Written first, so that the next start or reload reads the same.
 */
export interface SwapCertAction {
  kind: 'swap-cert';
  lb: 'lb-web';
  file: string;
  reason: string;
}

/**
 * Before Redis node FROM leaves while it is the primary: the Sentinels
 * promote a replica (SENTINEL FAILOVER), done once lb-db sends the
 * sessions there.
 */
export interface RedisFailoverAction {
  kind: 'redis-failover';
  from: string;
  reason: string;
}

/**
 * One step of a plan: data, with the reason a person reads in `--dry-run`.
 * The planner decides; the executor only carries an action out.
 */
export type Action =
  | ServerAction
  | SyncWebStatesAction
  | SwapCertAction
  | ProcessAction
  | ReplicateAction
  | WriteAction
  | WaitIdleAction
  | StopAction
  | DetachAction
  | RemoveLeftoverAction
  | MoveWriterAction
  | RedisFailoverAction;

export function isProcessAction(action: Action): action is ProcessAction {
  return action.kind === 'start' || action.kind === 'restart' || action.kind === 'reload';
}

export function isServerAction(action: Action): action is ServerAction {
  return action.kind === 'set-server-state' || action.kind === 'set-server-weight';
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
    case 'sync-web-states':
      return { on: action.lb, what: 'node states and weights from cluster.yaml' };
    case 'write':
      return { on: 'config', what: `write ${action.file}` };
    case 'swap-cert':
      return { on: action.lb, what: `serve ${action.file} (set ssl cert, no reload)` };
    case 'replicate':
      return { on: 'replication', what: 'users, database, master-master connections (a new node is cloned first)' };
    case 'wait-idle':
      return { on: action.node, what: `wait until its sessions end (at most ${action.timeoutS} s)` };
    case 'detach':
      return { on: action.node, what: action.from.length > 0 ? `detach from replication (${action.from.join(', ')})` : 'detach from replication' };
    case 'remove-leftover':
      return { on: action.node, what: `remove ${action.paths.join(', ')}` };
    case 'move-writer':
      return { on: 'lb-db', what: action.from ? `move the writer from ${action.from} to ${action.to}` : `make ${action.to} the writer` };
    case 'redis-failover':
      return { on: action.from, what: 'a replica becomes the Redis primary first (SENTINEL FAILOVER)' };
    case 'reload':
      return { on: action.process, what: 'reload (hitless)' };
    default:
      return { on: action.process, what: action.kind };
  }
}

/** One line per step, as history records a plan and a failure names its step. */
export function stepLine(action: Action): string {
  const { on, what } = describeAction(action);
  return `${on}: ${what}`;
}
