import type { Connection } from 'mysql2/promise';
import type { ReloadOutcome } from '../haproxy/reload.js';
import type { Progress } from '../util/progress.js';
import type { Command } from '../util/runner.js';
import type { RenderedFile } from '../render/index.js';
import type { Secrets } from '../secrets/store.js';
import type { Cluster, ConcreteRuntime, WebNode } from '../spec/model.js';

export type ProcessKind = 'web' | 'db' | 'lb';
export type Balancer = 'lb-web' | 'lb-db';

/** What a runtime knows of one of its processes, without asking the balancer. */
export interface ProcessStatus {
  name: string;
  kind: ProcessKind;
  running: boolean;
  /** Local: the node's first process, which leads a process group of its own (pgid = pid). */
  pid?: number;
  /** Local: kill the whole group (-pgid), or php -S workers and HAProxy's worker outlive their parent. */
  pgid?: number;
  /** Compose: the container's id, running or not. */
  container?: string;
  /** Local: when hactl started it (ISO 8601). */
  startedAt?: string;
}

/** Every process of a cluster, in start order: DB nodes, web nodes, lb-db, lb-web. */
export function clusterProcesses(cluster: Cluster): { name: string; kind: ProcessKind }[] {
  return [
    ...cluster.db.map((n) => ({ name: n.name, kind: 'db' as const })),
    ...cluster.web.map((n) => ({ name: n.name, kind: 'web' as const })),
    { name: 'lb-db', kind: 'lb' },
    { name: 'lb-web', kind: 'lb' },
  ];
}

// Ops take it from here, with the driver they drive; lower layers from util.
export type { Progress };

export interface UpOptions {
  /** Reload both balancers even when their configuration is unchanged (hactl reload). */
  reloadBalancers?: boolean;
  /** How long a started process may take to answer (its health check for web nodes). */
  readyTimeoutMs?: number;
}

/** What a runtime does to one of its processes: the steps a plan is made of. */
export type ProcessStep = 'start' | 'restart' | 'reload';

/** A process as cluster.yaml and its rendered files want it. */
export interface DesiredProcess {
  name: string;
  kind: ProcessKind;
  /** What it runs with; a change means a restart, or a reload for a balancer. */
  hash: string;
}

/** A process as its runtime finds it: running or not, and the hash it was started (or last reloaded) with. */
export interface ObservedProcess {
  running: boolean;
  hash?: string | undefined;
}

export interface ProcessView {
  /** In start order: DB nodes, web nodes, lb-db, lb-web. */
  desired: DesiredProcess[];
  observed: ReadonlyMap<string, ObservedProcess>;
  /** The rendered files the processes' config folder does not hold as rendered (up writes them). */
  changed: Pick<RenderedFile, 'path' | 'kind'>[];
}

/** What is left on disk of a node that cluster.yaml no longer has. */
export interface Leftover {
  name: string;
  paths: string[];
  /** Still running (cluster.yaml was edited by hand): clean leaves it alone. */
  running: boolean;
}

export type LogSource = { file: string } | { command: Command };

export interface UpResult {
  /** Processes started or restarted; empty when everything was up to date. */
  started: string[];
  reloaded: string[];
}

/**
 * A runtime: where and how the cluster's processes run. Both runtimes take
 * the same rendered files; only how they start, stop and find processes differs.
 */
export interface Driver {
  readonly runtime: ConcreteRuntime;
  /** Every process as cluster.yaml wants it and as it runs now: what the planner decides from. */
  view(cluster: Cluster, files: RenderedFile[]): Promise<ProcessView>;
  /**
   * Carry out STEPS (the plan's, by process: start, restart, reload), in
   * start order; new DB nodes are cloned and join, replication is set up.
   */
  up(cluster: Cluster, secrets: Secrets, files: RenderedFile[], steps: ReadonlyMap<string, ProcessStep>, progress: Progress, options?: UpOptions): Promise<UpResult>;
  /** Write rendered files where the processes read them, each HAProxy config checked first. */
  writeConfig(files: RenderedFile[]): Promise<void>;
  down(options: { purge: boolean }, progress: Progress): Promise<string[]>;
  processes(cluster: Cluster): Promise<ProcessStatus[]>;
  /** Stop one process and forget it; the next up starts it afresh. */
  stop(name: string, progress: Progress): Promise<void>;
  /** Kill one process at once, as a crash would (drills). */
  kill(name: string): Promise<void>;
  /** Hitless reload of a running balancer; fails if its new worker did not start. */
  reload(lb: Balancer): Promise<ReloadOutcome>;
  leftovers(cluster: Cluster): Promise<Leftover[]>;
  removeLeftover(leftover: Leftover): Promise<void>;
  /** Where a node's log is: a file hactl tails itself, or a command that prints it (docker logs). */
  logSource(name: string, lines: number, follow: boolean): LogSource;
  /** One command on a balancer's admin socket (the runtime API). */
  balancerCommand(lb: Balancer, command: string): Promise<string>;
  /** Where hactl itself reaches a web node (host:port), not through lb-web. */
  webAddress(node: WebNode): Promise<string>;
  /** An administrator's connection to one DB node, not through lb-db. */
  dbRoot(name: string, secrets: Secrets): Promise<Connection>;
}
