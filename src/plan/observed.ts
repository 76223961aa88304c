import type { ServerAdmin } from '../haproxy/servers-state.js';
import type { RenderedFile } from '../render/index.js';
import type { Cluster } from '../spec/model.js';

/**
 * What a planner decides from: the cluster as cluster.yaml wants it and
 * the world as it is, both plain data. Drivers and ops gather it; the
 * planner (src/plan) never reads a file, a socket or a process itself.
 */

/** store: a session store node (memcached), which only the web nodes talk to. */
export type ProcessKind = 'web' | 'db' | 'store' | 'lb';

/** What a runtime does to one of its processes: the steps a plan is made of. */
export type ProcessStep = 'start' | 'restart' | 'reload';

/** A process as cluster.yaml and its rendered files want it. */
export interface DesiredProcess {
  name: string;
  kind: ProcessKind;
  /** What it reads (configHash); a change means a restart, or a reload for a balancer. */
  hash: string;
  /** How it is run (launchHash); a change means a restart. */
  launch: string;
}

/** A process as its runtime finds it: running or not, and the hashes it was started (or last reloaded) with. */
export interface ObservedProcess {
  running: boolean;
  hash?: string | undefined;
  launch?: string | undefined;
}

/** What is left on disk of a node that cluster.yaml no longer has. */
export interface Leftover {
  name: string;
  paths: string[];
  /** Still running (cluster.yaml was edited by hand): clean leaves it alone. */
  running: boolean;
}

export type FileRef = Pick<RenderedFile, 'path' | 'kind'>;

export interface Desired {
  cluster: Cluster;
  /** Every rendered file, written or not. */
  files: readonly FileRef[];
  /** In start order: session stores, DB nodes, web nodes, lb-db, lb-web. */
  processes: DesiredProcess[];
}

export interface Observed {
  processes: ReadonlyMap<string, ObservedProcess>;
  /** The rendered files the processes' config folder does not hold as rendered. */
  changed: readonly FileRef[];
  /** lb-web's servers as its runtime API reports them; undefined when no lb-web answers. */
  lbWeb: readonly ServerAdmin[] | undefined;
  /** What removed nodes left (observed only by the operations that act on it). */
  leftovers: readonly Leftover[];
  /** Replication connections between running masters that should run and do not. */
  stalled: readonly StalledLink[];
  /** lb-db's writer entry: a master's name, null when it has none yet, undefined when lb-db does not say. */
  writer: string | null | undefined;
  /** The Redis node lb-db sends sessions to (the primary), null when none passes its check; observed only by the operations that act on it. */
  redisPrimary?: string | null | undefined;
}

/** NODE does not replicate from FROM, and WHY in MariaDB's words. */
export interface StalledLink {
  node: string;
  from: string;
  why: string;
}
