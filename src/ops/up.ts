import type { Driver, UpOptions, UpResult } from '../drivers/driver.js';
import { renderCluster, type RenderedFile } from '../render/index.js';
import { loadTemplateSources } from '../render/templates.js';
import { loadOrCreateSecrets } from '../secrets/store.js';
import { loadClusterFile } from '../spec/load.js';
import type { Cluster, ConcreteRuntime } from '../spec/model.js';
import { endpointsOf, type Endpoints } from '../spec/endpoints.js';
import type { Progress } from '../drivers/driver.js';
import type { Runner } from '../util/runner.js';
import { openContext, type OpContext, type OpOptions } from './context.js';
import { waitInRotation } from './in-rotation.js';
import { withLock } from './lock.js';
import { isProcessAction, type Action } from '../plan/action.js';
import { planProcesses, planWrites, stepsOf } from '../plan/processes.js';
import { requireBinaries } from './requirements.js';
import { forgetRuntime, recordRuntime } from './runtime-record.js';
import type { Project } from './project.js';
import { targetFor } from './render.js';
import { applyWebStates, planLbWebStates } from './server-state.js';

export interface UpSummary extends UpResult {
  runtime: ConcreteRuntime;
  endpoints: Endpoints;
}

/** lb-db checks every second and needs three passes in a row: a few seconds after a start is usual. */
const IN_ROTATION_TIMEOUT_MS = 30_000;

export function renderFor(ctx: OpContext, cluster: Cluster, secrets = loadOrCreateSecrets(ctx.project.stateDir)): RenderedFile[] {
  return renderCluster(cluster, secrets, targetFor(ctx.runtime, ctx.project), loadTemplateSources());
}

/**
 * Make the running cluster match CLUSTER (the caller holds the lock):
 * render (or take FILES, rendered from it), check, start what is missing,
 * reload balancers hitlessly, set lb-web's runtime view of every node
 * (drain, maint, weight) to match, then wait until both balancers see every
 * node that should be in rotation UP.
 */
export async function converge(ctx: OpContext, cluster: Cluster, options: UpOptions = {}, files?: RenderedFile[]): Promise<UpSummary> {
  const secrets = loadOrCreateSecrets(ctx.project.stateDir);
  const rendered = files ?? renderFor(ctx, cluster, secrets);
  const plan = await planUp(ctx, cluster, rendered, options);
  // The programs are needed where a process is to start, and only there (not for a no-op up).
  if (plan.some((a) => a.kind === 'start' || a.kind === 'restart')) await requireBinaries(ctx.runtime, ctx.runner, ctx.install, ctx.progress);
  const result = await ctx.driver.up(cluster, secrets, rendered, stepsOf(plan.filter(isProcessAction)), ctx.progress, options);
  // Once it runs there (a failed up stops what it started): from now on this is the cluster's runtime.
  recordRuntime(ctx.project.stateDir, ctx.runtime);
  await applyWebStates(ctx.driver, cluster);
  await waitInRotation(ctx.driver, cluster, ctx.progress, options.readyTimeoutMs ?? IN_ROTATION_TIMEOUT_MS);
  return { ...result, runtime: ctx.runtime, endpoints: endpointsOf(cluster) };
}

/**
 * What a converge would do: the files it writes, the processes it starts,
 * restarts or reloads (the plan converge carries out), and, for a lb-web
 * that keeps running, the commands that bring its node states in line.
 */
export async function planUp(ctx: OpContext, cluster: Cluster, files: RenderedFile[], options: UpOptions = {}): Promise<Action[]> {
  const { desired, observed, changed } = await ctx.driver.view(cluster, files);
  const processes = planProcesses(desired, observed, options);
  // A lb-web that starts or reloads gets its states after that, from cluster.yaml, whatever it says now.
  const lbWebStays = !processes.some((a) => a.process === 'lb-web');
  return [...planWrites(changed), ...processes, ...((lbWebStays && (await planLbWebStates(ctx.driver, cluster))) || [])];
}

/** The plan of a converge to CLUSTER, rendered now: what a live change's --dry-run shows for its converge. */
export function convergePlan(ctx: OpContext, cluster: Cluster, options: UpOptions = {}): Promise<Action[]> {
  return planUp(ctx, cluster, renderFor(ctx, cluster), options);
}

/** up --dry-run and hactl plan: the plan of a converge to cluster.yaml, nothing run or written (but secrets.json, as render). */
export async function planProject(project: Project, options: OpOptions & UpOptions, runner: Runner, progress: Progress): Promise<{ runtime: ConcreteRuntime; actions: Action[] }> {
  const ctx = await openContext(project, options, runner, progress);
  const cluster = loadClusterFile(project.file).cluster;
  return { runtime: ctx.runtime, actions: await convergePlan(ctx, cluster, options) };
}

/**
 * Converge the running cluster to cluster.yaml, under the cluster's lock.
 * BEFORE runs first under the same lock (restart stops its node there), so
 * no other command can come in between.
 */
export async function up(
  project: Project,
  options: OpOptions & UpOptions,
  runner: Runner,
  progress: Progress,
  before?: (driver: Driver) => Promise<void>,
): Promise<UpSummary> {
  const ctx = await openContext(project, options, runner, progress);
  return withLock(project.stateDir, 'up', async () => {
    await before?.(ctx.driver);
    // Read again under the lock: another command may have changed it while we waited.
    return converge(ctx, loadClusterFile(project.file).cluster, options);
  });
}

export async function down(project: Project, options: OpOptions & { purge: boolean }, runner: Runner, progress: Progress): Promise<string[]> {
  const ctx = await openContext(project, { runtime: options.runtime }, runner, progress);
  return withLock(project.stateDir, 'down', async () => {
    const stopped = await ctx.driver.down({ purge: options.purge }, progress);
    // Nothing of it is left: the next up may start it on another runtime.
    if (options.purge) forgetRuntime(project.stateDir);
    return stopped;
  });
}
