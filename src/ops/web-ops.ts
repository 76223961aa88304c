import type { Progress } from '../drivers/driver.js';
import { badInput } from '../errors.js';
import { WEB_BACKEND } from '../haproxy/server-admin.js';
import { parseShowStat } from '../haproxy/stat.js';
import type { Action, ServerAction, WaitIdleAction } from '../plan/action.js';
import type { RenderedFile } from '../render/index.js';
import { addNode, removeNode, setNodeState, setNodeWeight, setSessionMode, type NewWebNode } from '../spec/edit.js';
import { endpointsOf } from '../spec/endpoints.js';
import { loadClusterFile } from '../spec/load.js';
import type { Cluster, NodeState, SessionMode, WebNode } from '../spec/model.js';
import { pollUntil } from '../util/poll.js';
import type { Runner } from '../util/runner.js';
import { changeCluster, previewChange } from './change.js';
import type { OpContext, OpOptions } from './context.js';
import type { Project } from './project.js';
import { applyWebStates, balancerRunning, planLbWebStates, runLbWebActions } from './server-state.js';
import { converge, convergePlan, planUp, renderFor, type UpSummary } from './up.js';

/**
 * The web tier's live operations. Each edits cluster.yaml through
 * changeCluster (validated, applied, then recorded) and is what both the
 * CLI and the dashboard call.
 */

/** Start NAME, wait for its health check, then add it to lb-web with a hitless reload. */
export async function addWeb(
  project: Project,
  node: NewWebNode,
  options: OpOptions & { waitS?: number },
  runner: Runner,
  progress: Progress,
): Promise<UpSummary & { node: WebNode }> {
  return changeCluster(project, options, runner, progress, (src) => addNode(src, 'web', node), async (ctx, { next }) => {
    const summary = await converge(ctx, next, options.waitS === undefined ? {} : { readyTimeoutMs: options.waitS * 1000 });
    return { ...summary, node: next.web.find((n) => n.name === node.name)! };
  });
}

/** add web --dry-run: the converge add web runs, to the file with the node in it. */
export function planAddWeb(project: Project, node: NewWebNode, options: OpOptions, runner: Runner, progress: Progress): Promise<Action[]> {
  return previewChange(project, options, runner, progress, (src) => addNode(src, 'web', node), (ctx, { next }) => convergePlan(ctx, next));
}

export interface RemoveWebResult {
  node: string;
  /** True if its last session ended before the timeout. */
  drained: boolean;
  waited_s: number;
}

/** Drain NAME, wait for its sessions to end (or the timeout), take it out of lb-web, stop it: the steps of its plan. */
export async function removeWeb(project: Project, name: string, options: OpOptions & { timeoutS: number }, runner: Runner, progress: Progress): Promise<RemoveWebResult> {
  refuseLastWebNode(project, name);
  return changeCluster(project, options, runner, progress, (src) => removeNode(src, 'web', name), async (ctx, { previous, next }) => {
    const t0 = Date.now();
    let drained = true;
    const out = await takeOutSteps(ctx, previous, name, options.timeoutS);
    for (const step of out) {
      if (step.kind === 'wait-idle') {
        drained = await waitIdle(ctx, name, step.timeoutS * 1000, 1000);
        progress(name, drained ? 'no sessions left; taking it out of rotation' : `still busy after ${step.timeoutS} s; taking it out anyway`);
      } else {
        if (step.kind === 'set-server-state' && step.state === 'drain') progress(name, 'draining: no new visitors, sticky ones may finish');
        await runLbWebActions(ctx.driver, [step]);
      }
    }
    // In maintenance, what is still on its way through lb-web finishes before the reload.
    if (out.length > 0) await waitIdle(ctx, name, 5000, 0);
    await converge(ctx, next);
    await ctx.driver.stop(name, progress);
    return { node: name, drained, waited_s: Math.round((Date.now() - t0) / 100) / 10 };
  });
}

/** remove web --dry-run: the same steps as removeWeb, around the converge to the file without the node. */
export async function planRemoveWeb(project: Project, name: string, options: OpOptions & { timeoutS: number }, runner: Runner, progress: Progress): Promise<Action[]> {
  refuseLastWebNode(project, name);
  return previewChange(project, options, runner, progress, (src) => removeNode(src, 'web', name), async (ctx, { previous, next }) => [
    ...(await takeOutSteps(ctx, previous, name, options.timeoutS)),
    ...(await convergePlan(ctx, next)),
    { kind: 'stop', process: name, reason: 'no longer in cluster.yaml (its data stays until hactl clean)' },
  ]);
}

/** Said plainly, before the schema's "web: needs at least 1 item". */
function refuseLastWebNode(project: Project, name: string): void {
  const { web } = loadClusterFile(project.file).cluster;
  if (web.length === 1 && web[0]!.name === name) throw lastWebNode(name);
}

/** What takes NAME out of a running lb-web before the converge without it: drain, its sessions' end, maintenance. */
async function takeOutSteps(ctx: OpContext, previous: Cluster, name: string, timeoutS: number): Promise<(ServerAction | WaitIdleAction)[]> {
  if (!(await balancerRunning(ctx.driver, previous, 'lb-web'))) return [];
  const takeOut = (state: 'drain' | 'maint', reason: string): ServerAction => ({ kind: 'set-server-state', lb: 'lb-web', backend: WEB_BACKEND, server: name, state, reason });
  return [
    takeOut('drain', 'being removed: no new visitors, sticky ones may finish'),
    { kind: 'wait-idle', node: name, timeoutS, reason: 'sticky visitors may finish' },
    takeOut('maint', 'being removed: out of rotation'),
  ];
}

function lastWebNode(name: string) {
  return badInput(`${name} is the only web node; a cluster needs at least one (add another first)`);
}

/** No session on NAME now and none assigned to it in the last QUIET_MS. */
async function waitIdle(ctx: OpContext, name: string, timeoutMs: number, quietMs: number): Promise<boolean> {
  const idle = await pollUntil(async () => {
    const row = parseShowStat(await ctx.driver.balancerCommand('lb-web', 'show stat')).find((r) => r.pxname === WEB_BACKEND && r.svname === name);
    if (!row) return true;
    const lastsess = Number(row.lastsess === '' ? -1 : row.lastsess);
    return Number(row.scur) === 0 && Number(row.qcur) === 0 && (lastsess < 0 || lastsess * 1000 >= quietMs);
  }, Date.now() + timeoutMs, 200);
  return idle === true;
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
 * recorded in cluster.yaml. With dryRun, the plan of the edited file as it
 * would be, and nothing run or written.
 */
export async function setWeb(
  project: Project,
  name: string,
  change: { state: NodeState } | { weight: number },
  options: OpOptions & { dryRun?: boolean },
  runner: Runner,
  progress: Progress,
): Promise<WebStateResult> {
  const edit = 'state' in change ? (src: Parameters<typeof setNodeState>[0]) => setNodeState(src, name, change.state) : (src: Parameters<typeof setNodeWeight>[0]) => setNodeWeight(src, name, change.weight);
  const outcome = (next: Cluster, plan: ServerAction[] | undefined, dryRun: boolean): WebStateResult => {
    const node = next.web.find((n) => n.name === name)!;
    return { node: name, state: node.state, weight: node.weight, applied: plan !== undefined, actions: plan ?? [], dry_run: dryRun };
  };
  if (options.dryRun) {
    return previewChange(project, options, runner, progress, edit, async (ctx, { next }) => outcome(next, await planLbWebStates(ctx.driver, next, [name]), true));
  }
  // Only the runtime API: no file to render or check, no reload. Every start or reload
  // renders from cluster.yaml and applies the states again, and a reload is due only
  // when more than states and weights changed (RenderedFile.shape).
  return changeCluster(project, options, runner, progress, edit, async (ctx, { next }) => outcome(next, await applyWebStates(ctx.driver, next, [name]), false));
}

/** Switch both lb-web's persistence and the app's session handler; no web node restarts. */
export async function switchSessionMode(project: Project, mode: SessionMode, options: OpOptions, runner: Runner, progress: Progress): Promise<UpSummary & { mode: SessionMode; previous: SessionMode }> {
  return changeCluster(project, options, runner, progress, (src) => setSessionMode(src, mode), async (ctx, { previous, next }) => {
    if (previous.sessionMode === mode) return { started: [], reloaded: [], runtime: ctx.runtime, endpoints: endpointsOf(next), mode, previous: mode };
    progress('session mode', `${previous.sessionMode} → ${mode}`);
    const { first, then } = sessionSwitch(ctx, previous, next);
    const summary = await converge(ctx, next, {}, first);
    if (then) await ctx.driver.writeConfig(then);
    return { ...summary, mode, previous: previous.sessionMode };
  });
}

/** session-mode --dry-run: the converge and, when leaving db mode, the app's files written after it. */
export function planSessionMode(project: Project, mode: SessionMode, options: OpOptions, runner: Runner, progress: Progress): Promise<Action[]> {
  return previewChange(project, options, runner, progress, (src) => setSessionMode(src, mode), async (ctx, { previous, next }) => {
    if (previous.sessionMode === mode) return [];
    const { first, then } = sessionSwitch(ctx, previous, next);
    const plan = await planUp(ctx, next, first);
    const later = then?.filter((f) => f.kind === 'app').map((f) => f.path) ?? [];
    return [...plan, ...later.map((file): Action => ({ kind: 'write', file, reason: "after lb-web's reload: the app's session handler changes last" }))];
  });
}

/**
 * The files of a session-mode switch, in order. Leaving db mode, lb-web
 * first and the app's handler after: in between, DB sessions still work on
 * every node; the other way round, a session created in files would be lost
 * on the visitor's next, unpinned request. So the converge gets next's
 * files with the app's still previous', and then the app's are written.
 */
function sessionSwitch(ctx: OpContext, previous: Cluster, next: Cluster): { first: RenderedFile[]; then: RenderedFile[] | undefined } {
  const files = renderFor(ctx, next);
  if (previous.sessionMode !== 'db') return { first: files, then: undefined };
  const before = new Map(renderFor(ctx, previous).map((f) => [f.path, f]));
  return { first: files.map((f) => (f.kind === 'app' ? (before.get(f.path) ?? f) : f)), then: files };
}
