import type { UpOptions, UpResult } from '../drivers/driver.js';
import type { Action } from '../plan/action.js';
import { planRestart, planUp } from '../plan/changes.js';
import type { Desired, Observed } from '../plan/observed.js';
import type { RenderedFile } from '../render/index.js';
import { loadClusterFile } from '../spec/load.js';
import type { ConcreteRuntime } from '../spec/model.js';
import { endpointsOf, type Endpoints } from '../spec/endpoints.js';
import type { Progress } from '../drivers/driver.js';
import type { Runner } from '../util/runner.js';
import type { Change, DryRun } from './change.js';
import { openContext, type OpContext, type OpOptions } from './context.js';
import { execute, type Executed } from './execute.js';
import { waitInRotation } from './in-rotation.js';
import { withLock } from './lock.js';
import { observe } from './observe.js';
import { forgetApplied } from './applied.js';
import { forgetRuntime } from './runtime-record.js';
import type { Project } from './project.js';
import { prepareCert, renderFor } from './render.js';
import { lbWebOf } from './server-state.js';
import { waitRedisInSync } from './redis-ops.js';
import { applyRecorded } from './apply.js';
import { loadServingCert, tlsDir } from '../tls/store.js';

export interface UpSummary extends UpResult {
  runtime: ConcreteRuntime;
  endpoints: Endpoints;
  /** With tls served by hactl's own certificate: the CA a client trusts it by (curl --cacert). */
  ca?: string;
}

/** lb-db checks every second and needs three passes in a row: a few seconds after a start is usual. */
const IN_ROTATION_TIMEOUT_MS = 30_000;

/** A plan of a change and what carrying it out needs: NEXT's rendered files. */
export interface Planned {
  files: RenderedFile[];
  actions: Action[];
}

/**
 * The plan of CHANGE: NEXT rendered, what runs observed (LEFTOVERS: with
 * what nodes PREVIOUS does not have left), then PLAN, a pure planner.
 */
export async function planChange(ctx: OpContext, change: Change, plan: (desired: Desired, observed: Observed) => Action[], options: { leftovers?: boolean } = {}): Promise<Planned> {
  await prepareCert(ctx.project, change.next, ctx.runner, ctx.progress, ctx.dryRun);
  const files = renderFor(ctx, change.next);
  const { desired, observed } = await observe(ctx, change.next, files, { previous: change.previous, ...(options.leftovers ? { leftoversOf: change.previous } : {}) });
  return { files, actions: plan(desired, observed) };
}

/**
 * Carry out a change's plan, then wait until both balancers see every node
 * of NEXT that should be in rotation UP: the plan is done when they do.
 */
export async function carryOut(ctx: OpContext, change: Change, planned: Planned, options: UpOptions = {}): Promise<UpSummary & Executed> {
  const done = await applyRecorded(ctx, change, planned.files, planned.actions, async () => {
    const executed = await execute(ctx, change, planned.files, planned.actions, options);
    await waitInRotation(ctx.driver, lbWebOf(ctx, change.next), change.next, ctx.progress, options.readyTimeoutMs ?? IN_ROTATION_TIMEOUT_MS);
    await waitRedisInSync(ctx, change.next, executed.started, options.readyTimeoutMs ?? IN_ROTATION_TIMEOUT_MS);
    return executed;
  });
  const ca = loadServingCert(ctx.project.stateDir, ctx.project.dir, change.next)?.source === 'own' ? tlsDir(ctx.project.stateDir).caCert : undefined;
  return { ...done, runtime: ctx.runtime, endpoints: endpointsOf(change.next), ...(ca ? { ca } : {}) };
}

/** A change's plan carried out or, with DRY_RUN, only answered. */
export async function planThenCarryOut(ctx: OpContext, change: Change, planned: Planned, dryRun: boolean | undefined, options: UpOptions = {}): Promise<(UpSummary & Executed) | DryRun> {
  if (dryRun) return { dry_run: true, actions: planned.actions };
  return carryOut(ctx, change, planned, options);
}

type UpAsked = OpOptions & UpOptions & { restart?: string | undefined };

/** The plan of a converge to cluster.yaml as it is now; with RESTART, that node is stopped first (the plan says so). */
async function planConvergence(ctx: OpContext, project: Project, options: UpAsked): Promise<{ change: Change; planned: Planned }> {
  const cluster = loadClusterFile(project.file).cluster;
  const change = { previous: cluster, next: cluster };
  const restart = options.restart;
  return { change, planned: await planChange(ctx, change, (desired, observed) => (restart ? planRestart(restart, desired, observed) : planUp(desired, observed, options))) };
}

/**
 * Converge the running cluster to cluster.yaml (up, start, restart,
 * reload), under the cluster's lock: render, check, start what is missing,
 * reload balancers hitlessly, set lb-web's runtime view of every node to
 * match, wait until the balancers see every node UP.
 */
export async function up(project: Project, options: UpAsked, runner: Runner, progress: Progress): Promise<UpSummary & Executed> {
  const ctx = await openContext(project, options, runner, progress);
  return withLock(project.stateDir, 'up', async () => {
    // Read under the lock: another command may have changed it while we waited.
    const { change, planned } = await planConvergence(ctx, project, options);
    return carryOut(ctx, change, planned, options);
  });
}

/** up --dry-run, reload --dry-run and hactl plan: the plan up would carry out; nothing run or written (but secrets.json, as render). */
export async function planProject(project: Project, options: UpAsked, runner: Runner, progress: Progress): Promise<DryRun & { runtime: ConcreteRuntime }> {
  const ctx = await openContext(project, { ...options, dryRun: true }, runner, progress);
  return { dry_run: true, actions: (await planConvergence(ctx, project, options)).planned.actions, runtime: ctx.runtime };
}

export async function down(project: Project, options: OpOptions & { purge: boolean }, runner: Runner, progress: Progress): Promise<string[]> {
  const ctx = await openContext(project, { runtime: options.runtime }, runner, progress);
  return withLock(project.stateDir, 'down', async () => {
    const stopped = await ctx.driver.down({ purge: options.purge }, progress);
    // Nothing of it is left: the next up may start it on another runtime.
    if (options.purge) {
      forgetRuntime(project.stateDir);
      forgetApplied(project.stateDir);
    }
    return stopped;
  });
}
