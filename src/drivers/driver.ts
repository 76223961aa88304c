import type { Connection } from 'mysql2/promise';
import type { Progress } from '../util/progress.js';
import type { Command } from '../util/runner.js';
import type { RenderedFile } from '../render/index.js';
import type { Secrets } from '../secrets/store.js';
import { STORE_TIERS, type Cluster, type ConcreteRuntime, type WebNode } from '../spec/model.js';
import type { FileRef, Leftover, ProcessKind, ProcessStep } from '../plan/observed.js';
import type { DbAccess } from '../mysql/replication-setup.js';

export type { ProcessKind };

export type Balancer = 'lb-web' | 'lb-db';

/** What a runtime knows of one of its processes, without asking the balancer. */
export interface ProcessStatus {
  name: string;
  kind: ProcessKind;
  running: boolean;
  /** Local: the node's first process, which leads a process group of its own (pgid = pid). */
  pid?: number;
  /** Local: kill the whole group (-pgid), or a web node's Apache children and HAProxy's worker outlive their parent. */
  pgid?: number;
  /** Compose: the container's id, running or not. */
  container?: string;
  /** Compose: the container's name (the node's, after cluster.yaml's compose.container_prefix). */
  containerName?: string;
  /** Local: when hactl started it (ISO 8601). */
  startedAt?: string;
}

/** Every process of a cluster, in start order: session stores, DB nodes, web nodes, lb-db, lb-web. */
export function clusterProcesses(cluster: Cluster): { name: string; kind: ProcessKind }[] {
  return [
    ...STORE_TIERS.flatMap((tier) => cluster[tier].map((n) => ({ name: n.name, kind: 'store' as const }))),
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
  /** The plan's replicate action: set up replication once the DB nodes answer, before lb-db. */
  replicate?: boolean;
}

export type { Leftover, ProcessStep } from '../plan/observed.js';

/** What a runtime finds: every process of a cluster and the rendered files it does not hold as rendered. */
export interface RuntimeView {
  /** In start order: DB nodes, web nodes, lb-db, lb-web. */
  processes: (ProcessStatus & {
    /** How the runtime launches it (a command line locally): part of its hash. */
    launch: unknown;
  })[];
  changed: FileRef[];
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
  /** Where writeConfig writes: rendered files' paths are relative to it. */
  readonly configDir: string;
  /** Every process as it runs now and how it would be launched, and the files to write: what the planner decides from. */
  view(cluster: Cluster, files: RenderedFile[]): Promise<RuntimeView>;
  /** Refuse, before a plan's first action, to start what could not start: an address in use. */
  checkStarts(cluster: Cluster, starting: ReadonlySet<string>, progress: Progress): Promise<void>;
  /**
   * Carry out STEPS (the plan's, by process: start, restart, reload), in
   * start order, with the files already written; new DB nodes are cloned
   * and join, replication is set up.
   */
  up(cluster: Cluster, secrets: Secrets, steps: ReadonlyMap<string, ProcessStep>, progress: Progress, options?: UpOptions): Promise<UpResult>;
  /** Write rendered files where the processes read them, each HAProxy config checked first. */
  writeConfig(files: RenderedFile[]): Promise<void>;
  down(options: { purge: boolean }, progress: Progress): Promise<string[]>;
  /** With DETAIL, what costs another look to find too (compose: each container's start time; hactl ps). */
  processes(cluster: Cluster, options?: { detail?: boolean }): Promise<ProcessStatus[]>;
  /** Stop one process and forget it; the next up starts it afresh. */
  stop(name: string, progress: Progress): Promise<void>;
  /** Kill one process at once, as a crash would (drills). */
  kill(name: string): Promise<void>;
  leftovers(cluster: Cluster): Promise<Leftover[]>;
  removeLeftover(leftover: Leftover): Promise<void>;
  /** Where a node's log is: a file hactl tails itself, or a command that prints it (docker logs). */
  logSource(name: string, lines: number, follow: boolean): LogSource;
  /** One command on a balancer's admin socket (the runtime API), with a PAYLOAD for those that take one (set ssl cert). */
  balancerCommand(lb: Balancer, command: string, payload?: string): Promise<string>;
  /** Where hactl itself reaches a web node (host:port), not through lb-web; a session store node too. */
  webAddress(node: Pick<WebNode, 'name' | 'host' | 'port'>): Promise<string>;
  /** An administrator's connection to one DB node, not through lb-db. */
  dbRoot(name: string, secrets: Secrets): Promise<Connection>;
  /** How replication set-up reaches the DB nodes in this runtime (connections, addresses, the clone's commands). */
  dbAccess(cluster: Cluster, secrets: Secrets): DbAccess;
  /** What a DB node's health agent last answered (its state file, compose/db/db-agent.sh); undefined if it never did. */
  dbAgentState(name: string): Promise<string | undefined>;
}
