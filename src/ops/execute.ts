import { basename } from 'node:path';
import type { Connection } from 'mysql2/promise';
import { swapSslCert } from '../haproxy/ssl-cert.js';
import type { LbWebClient } from '../lb-web/index.js';
import { detachMaster } from '../mysql/replication-setup.js';
import { isProcessAction, isServerAction, runtimeCommand, stepLine, type Action, type DetachAction, type ProcessAction, type ReplicateAction, type WaitIdleAction } from '../plan/action.js';
import { stepsOf } from '../plan/processes.js';
import type { RenderedFile } from '../render/index.js';
import { loadOrCreateSecrets, type Secrets } from '../secrets/store.js';
import { failpoint } from '../util/failpoint.js';
import { BALANCERS, type Cluster, type DbNode } from '../spec/model.js';
import { pollUntil } from '../util/poll.js';
import { clusterProcesses, type Balancer, type UpOptions, type UpResult } from '../drivers/driver.js';
import { connectAddress, hostPort } from '../util/net.js';
import { httpStatus, tcpOpen, watchOutage } from '../util/probe.js';
import { recordApplied } from './applied.js';
import type { OpContext } from './context.js';
import { requireBinaries, storeNeeds } from './requirements.js';
import { moveWriter, type WriterMove } from './move-writer.js';
import { recordRuntime } from './runtime-record.js';
import { redisFailover } from './redis-ops.js';
import { applyWebStates, lbWebOf } from './server-state.js';

export interface Executed extends UpResult {
  /**
   * Balancers restarted, not reloaded (a new engine, a new port): how long
   * their entry point did not answer, as a client polling it saw.
   */
  outages: { process: string; ms: number }[];
  /** The config files written. */
  written: string[];
  /** The runtime API commands lb-web was given (runtimeCommand's words). */
  told: string[];
  /** Per node the wait-idle steps waited for: true if its sessions ended before the timeout, every time. */
  idle: Record<string, boolean>;
  /** lb-db's writer moves, with the pause in writes each made. */
  writerMoves: WriterMove[];
}

/** The clusters a plan was made between: PREVIOUS is what the removed nodes are found in. */
export interface PlanClusters {
  previous: Cluster;
  next: Cluster;
}

/**
 * Carry out PLAN, in order, and nothing else: the planner decided. FILES
 * are NEXT's rendered files, which the write actions write. What cannot be
 * carried out (a program missing, a port taken) is found before the first
 * action runs.
 */
export async function execute(ctx: OpContext, clusters: PlanClusters, files: RenderedFile[], plan: readonly Action[], options: UpOptions = {}): Promise<Executed> {
  const { next } = clusters;
  const processes = plan.filter(isProcessAction);
  try {
    if (processes.some((a) => a.kind !== 'reload')) await requireBinaries(ctx.runtime, ctx.runner, ctx.install, ctx.progress, undefined, undefined, storeNeeds(next));
    // A node the plan stops first (restart) holds its own address until then.
    const stopsFirst = new Set(plan.filter((a) => a.kind === 'stop').map((a) => a.process));
    await ctx.driver.checkStarts(next, new Set(processes.filter((a) => a.kind === 'start' && !stopsFirst.has(a.process)).map((a) => a.process)), ctx.progress);
  } catch (err) {
    throw failedAt(err, 'before the first step, where what it needs (programs, free addresses) is checked');
  }
  const secrets = loadOrCreateSecrets(ctx.project.stateDir);
  const done: Executed = { started: [], reloaded: [], outages: [], written: [], told: [], idle: {}, writerMoves: [] };
  const lbWeb = lbWebOf(ctx, next, clusters.previous);
  let at: readonly Action[] = [];
  try {
    await carryOutSteps(ctx, clusters, files, plan, options, secrets, lbWeb, done, (run) => (at = run));
  } catch (err) {
    throw failedAt(err, at.map(stepLine).join('; '));
  }
  return done;
}

/** Which step of a plan an error came from, for the history's record of the failure. */
const failedSteps = new WeakMap<object, string>();

export function failedAt(err: unknown, step: string): unknown {
  if (typeof err === 'object' && err !== null && !failedSteps.has(err)) failedSteps.set(err, step);
  return err;
}

export function failedStep(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? failedSteps.get(err) : undefined;
}

async function carryOutSteps(
  ctx: OpContext,
  { previous, next }: PlanClusters,
  files: RenderedFile[],
  plan: readonly Action[],
  options: UpOptions,
  secrets: Secrets,
  lbWeb: LbWebClient,
  done: Executed,
  starting: (run: readonly Action[]) => void,
): Promise<void> {
  for (let i = 0; i < plan.length; ) {
    const action = plan[i]!;
    // Runs of writes and of process steps go to the runtime together: files are
    // checked all at once, and the runtime keeps its start order and bootstrap.
    if (action.kind === 'write' || isRuntimeStep(action)) {
      const run = takeWhile(plan, i, (a) => a.kind === action.kind || (isRuntimeStep(a) && isRuntimeStep(action)));
      starting(run);
      i += run.length;
      if (action.kind === 'write') {
        const paths = new Set(run.map((a) => (a.kind === 'write' ? a.file : '')));
        await ctx.driver.writeConfig(files.filter((f) => paths.has(f.path)));
        done.written.push(...paths);
      } else {
        const steps = run.filter(isProcessAction);
        if (steps.some((a) => a.kind === 'start' && !isBalancer(a.process))) failpoint('start');
        const gaps = steps
          .filter((a) => a.kind === 'restart')
          .map((a) => a.process)
          .filter(isBalancer)
          .map((lb) => ({ process: lb, watch: watchOutage(() => entryAnswers(next, lb)) }));
        const result = await ctx.driver.up(next, secrets, stepsOf(steps), ctx.progress, { ...options, replicate: run.some((a) => a.kind === 'replicate') }).catch(async (err: unknown) => {
          await Promise.all(gaps.map(({ watch }) => watch.stop(0)));
          throw err;
        });
        for (const { process, watch } of gaps) done.outages.push({ process, ms: await watch.stop() });
        // Once it runs there (a failed up stops what it started): from now on this is the cluster's runtime.
        recordRuntime(ctx.project.stateDir, ctx.runtime);
        recordApplied(ctx.project.stateDir, new Map(steps.map((a) => [a.process, { hash: a.hash, launch: a.launch }])), new Set(clusterProcesses(next).map((p) => p.name)));
        done.started.push(...result.started);
        done.reloaded.push(...result.reloaded);
        if (steps.some((a) => a.kind === 'reload')) failpoint('reload');
      }
      continue;
    }
    starting([action]);
    i++;
    if (isServerAction(action)) {
      ctx.progress(action.server, action.reason);
      await lbWeb.apply([action]);
      done.told.push(runtimeCommand(action));
    } else if (action.kind === 'sync-web-states') await applyWebStates(lbWeb, next);
    else if (action.kind === 'wait-idle') {
      // remove web waits twice (drained, then in maintenance): a timeout in either is not a clean drain.
      const idle = await waitIdle(ctx, lbWeb, action);
      done.idle[action.node] = (done.idle[action.node] ?? true) && idle;
    } else if (action.kind === 'detach') await detach(ctx, { previous, next }, action);
    else if (action.kind === 'stop') await ctx.driver.stop(action.process, ctx.progress);
    else if (action.kind === 'move-writer') done.writerMoves.push(await moveWriter(ctx, next, action));
    else if (action.kind === 'swap-cert') {
      ctx.progress(action.lb, 'serving the new certificate (set ssl cert, commit ssl cert)');
      const pem = files.find((f) => f.path === action.file)!.content;
      await swapSslCert((command, payload) => ctx.driver.balancerCommand(action.lb, command, payload), basename(action.file), pem);
      done.told.push(`set ssl cert ${basename(action.file)}`);
    }
    else if (action.kind === 'redis-failover') await redisFailover(ctx, previous, action);
    else {
      ctx.progress(action.node, `removing what an earlier node of this name left behind: ${action.paths.join(', ')}`);
      await ctx.driver.removeLeftover({ name: action.node, paths: action.paths, running: false });
    }
  }
}

function isBalancer(process: string): process is Balancer {
  return (BALANCERS as readonly string[]).includes(process);
}

/** lb-web answers HTTP (whatever the status) on the site's port; lb-db takes connections on its own. */
async function entryAnswers(cluster: Cluster, lb: Balancer): Promise<boolean> {
  const host = connectAddress(cluster.listen);
  if (lb === 'lb-db') return tcpOpen(host, cluster.ports.db, 200);
  return (await httpStatus(`http://${hostPort(host, cluster.ports.http)}${cluster.health.path}`, 500)) !== undefined;
}

/** What the runtime carries out in one go, in its start order: process steps and replication between them. */
function isRuntimeStep(action: Action): action is ProcessAction | ReplicateAction {
  return isProcessAction(action) || action.kind === 'replicate';
}

function takeWhile(plan: readonly Action[], from: number, same: (a: Action) => boolean): Action[] {
  let end = from;
  while (end < plan.length && same(plan[end]!)) end++;
  return plan.slice(from, end);
}

/**
 * No session on the node now, and no new one for QUIET_S as this loop sees
 * it (the member's activity counter moves with every request it serves;
 * HAProxy's lastsess counts whole seconds only).
 */
async function waitIdle(ctx: OpContext, lbWeb: LbWebClient, action: WaitIdleAction): Promise<boolean> {
  let activity: number | null | undefined;
  let quietSince = Date.now();
  const idle = await pollUntil(async () => {
    const member = (await lbWeb.members())?.find((m) => m.name === action.node);
    if (!member) return true;
    const now = Date.now();
    const busy = (member.sessions ?? 0) > 0 || (member.queued ?? 0) > 0;
    if (member.activity !== activity || busy) quietSince = now;
    activity = member.activity;
    return !busy && now - quietSince >= action.quietS * 1000;
  }, Date.now() + action.timeoutS * 1000, 200);
  if (action.quietS > 0) {
    ctx.progress(action.node, idle === true ? `no sessions left (none for ${action.quietS} s); taking it out of rotation` : `still busy after ${action.timeoutS} s; taking it out anyway`);
  }
  return idle === true;
}

/** The masters in FROM stop replicating from the node, once they hold all it wrote if it runs. */
async function detach(ctx: OpContext, { previous, next }: PlanClusters, action: DetachAction): Promise<void> {
  const secrets = loadOrCreateSecrets(ctx.project.stateDir);
  const conns: Connection[] = [];
  const open = async (n: DbNode) => {
    const conn = await ctx.driver.dbRoot(n.name, secrets);
    conns.push(conn);
    return { node: n, conn };
  };
  try {
    const leavingNode = previous.db.find((n) => n.name === action.node);
    const leaving = action.waitCaughtUp && leavingNode ? await open(leavingNode) : undefined;
    const remaining = await Promise.all(next.db.filter((n) => action.from.includes(n.name)).map(open));
    await detachMaster(action.node, leaving, remaining, previous.database.user, ctx.progress);
  } finally {
    for (const c of conns) await c.end().catch(() => undefined);
  }
}
