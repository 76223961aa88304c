import type { Progress } from '../drivers/driver.js';
import { badInput } from '../errors.js';
import { planRemoveWeb, planSessionMode, planSetWeb, planUp } from '../plan/changes.js';
import { isServerAction, type ServerAction } from '../plan/action.js';
import { addNode, removeNode, setNodeState, setNodeWeight, setSessionMode, type NewWebNode } from '../spec/edit.js';
import { nodeHost } from '../spec/endpoints.js';
import { loadClusterFile } from '../spec/load.js';
import type { NodeState, SessionMode, WebNode } from '../spec/model.js';
import { hostPort } from '../util/net.js';
import type { Runner } from '../util/runner.js';
import { changeCluster, type DryRun } from './change.js';
import type { OpOptions } from './context.js';
import { execute, type Executed } from './execute.js';
import type { Project } from './project.js';
import { lbWebOf, readLbWebServers } from './server-state.js';
import { applyRecorded } from './apply.js';
import { renderFor } from './render.js';
import { carryOut, planChange, planThenCarryOut, type UpSummary } from './up.js';

/**
 * The web tier's live operations. Each edits cluster.yaml through
 * changeCluster (validated, planned, carried out, then recorded) and is
 * what both the CLI and the dashboard call; with dryRun, the plan.
 */

type Live = OpOptions & { dryRun?: boolean | undefined };

/** Start NAME, wait for its health check, then add it to lb-web with a hitless reload. */
export async function addWeb(project: Project, node: NewWebNode, options: Live & { waitS?: number }, runner: Runner, progress: Progress): Promise<(UpSummary & Executed & { node: WebNode; address: string }) | DryRun> {
  return changeCluster(project, options, runner, progress, (src) => addNode(src, 'web', node), async (ctx, change) => {
    const planned = await planChange(ctx, change, planUp);
    const r = await planThenCarryOut(ctx, change, planned, options.dryRun, options.waitS === undefined ? {} : { readyTimeoutMs: options.waitS * 1000 });
    if ('dry_run' in r) return r;
    const added = change.next.web.find((n) => n.name === node.name)!;
    return { ...r, node: added, address: hostPort(nodeHost(added, ctx.runtime), added.port) };
  });
}

export interface RemoveWebResult {
  node: string;
  /** True if its last session ended before the timeout. */
  drained: boolean;
  waited_s: number;
}

/** Drain NAME, wait for its sessions to end (or the timeout), take it out of lb-web, stop it: the steps of its plan. */
export async function removeWeb(project: Project, name: string, options: Live & { timeoutS: number }, runner: Runner, progress: Progress): Promise<RemoveWebResult | DryRun> {
  refuseLastWebNode(project, name);
  return changeCluster(project, options, runner, progress, (src) => removeNode(src, 'web', name), async (ctx, change) => {
    const planned = await planChange(ctx, change, (desired, observed) => planRemoveWeb(name, desired, observed, options.timeoutS));
    const t0 = Date.now();
    const r = await planThenCarryOut(ctx, change, planned, options.dryRun);
    if ('dry_run' in r) return r;
    return { node: name, drained: r.idle[name] ?? true, waited_s: Math.round((Date.now() - t0) / 100) / 10 };
  });
}

/** Said plainly, before the schema's "web: needs at least 1 item". */
function refuseLastWebNode(project: Project, name: string): void {
  const { web } = loadClusterFile(project.file).cluster;
  if (web.length === 1 && web[0]!.name === name) throw badInput(`${name} is the only web node; a cluster needs at least one (add another first)`);
}

export interface WebStateResult {
  node: string;
  state: NodeState;
  weight: number;
  /** False when lb-web is not running: recorded, applied at the next up (with dryRun: would be). */
  applied: boolean;
  /** What lb-web was told or, with dryRun, would be: the one plan both run. */
  actions: ServerAction[];
  dry_run: boolean;
}

/**
 * drain / enable / disable / weight: through the runtime API (no reload),
 * recorded in cluster.yaml. Only lb-web is observed and told: no file to
 * render or check. Every start or reload renders from cluster.yaml and
 * applies the states again, and a reload is due only when more than states
 * and weights changed (RenderedFile.shape).
 */
export async function setWeb(
  project: Project,
  name: string,
  change: { state: NodeState } | { weight: number },
  options: Live,
  runner: Runner,
  progress: Progress,
): Promise<WebStateResult> {
  const edit = 'state' in change ? (src: Parameters<typeof setNodeState>[0]) => setNodeState(src, name, change.state) : (src: Parameters<typeof setNodeWeight>[0]) => setNodeWeight(src, name, change.weight);
  return changeCluster(project, options, runner, progress, edit, async (ctx, clusters) => {
    const before = new Map(renderFor(ctx, clusters.previous).map((f) => [f.path, f.content]));
    const files = renderFor(ctx, clusters.next);
    const plan = planSetWeb(name, clusters.next, await readLbWebServers(lbWebOf(ctx, clusters.next)), files.filter((f) => before.get(f.path) !== f.content));
    if (plan && !options.dryRun) await applyRecorded(ctx, clusters, files, plan, () => execute(ctx, clusters, files, plan));
    const node = clusters.next.web.find((n) => n.name === name)!;
    return { node: name, state: node.state, weight: node.weight, applied: plan !== undefined, actions: (plan ?? []).filter(isServerAction), dry_run: options.dryRun === true };
  });
}

/** Switch both lb-web's persistence and the app's session handler; no web node restarts. */
export async function switchSessionMode(
  project: Project,
  mode: SessionMode,
  options: Live,
  runner: Runner,
  progress: Progress,
): Promise<(UpSummary & Executed & { mode: SessionMode; previous: SessionMode }) | DryRun> {
  return changeCluster(project, options, runner, progress, (src) => setSessionMode(src, mode), async (ctx, change) => {
    const planned = await planChange(ctx, change, (desired, observed) => planSessionMode(change.previous, desired, observed));
    if (options.dryRun) return { dry_run: true, actions: planned.actions };
    if (change.previous.sessionMode !== mode) progress('session mode', `${change.previous.sessionMode} → ${mode}`);
    return { ...(await carryOut(ctx, change, planned)), mode, previous: change.previous.sessionMode };
  });
}
