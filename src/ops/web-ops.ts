import type { Progress } from '../drivers/driver.js';
import { badInput } from '../errors.js';
import { WEB_BACKEND } from '../haproxy/server-admin.js';
import { parseShowStat } from '../haproxy/stat.js';
import type { ServerAction } from '../plan/action.js';
import { addNode, removeNode, setNodeState, setNodeWeight, setSessionMode, type NewWebNode } from '../spec/edit.js';
import { endpointsOf } from '../spec/endpoints.js';
import { loadClusterFile } from '../spec/load.js';
import type { Cluster, NodeState, SessionMode, WebNode } from '../spec/model.js';
import { editClusterFile } from '../spec/edit-file.js';
import { pollUntil } from '../util/poll.js';
import type { Runner } from '../util/runner.js';
import { changeCluster } from './change.js';
import { openContext, type OpContext, type OpOptions } from './context.js';
import type { Project } from './project.js';
import { balancerRunning, planLbWebStates, runLbWebActions } from './server-state.js';
import { converge, renderFor, type UpSummary } from './up.js';

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

export interface RemoveWebResult {
  node: string;
  /** True if its last session ended before the timeout. */
  drained: boolean;
  waited_s: number;
}

/** Drain NAME, wait for its sessions to end (or the timeout), take it out of lb-web, stop it. */
export async function removeWeb(project: Project, name: string, options: OpOptions & { timeoutS: number }, runner: Runner, progress: Progress): Promise<RemoveWebResult> {
  // Said plainly, before the schema's "web: needs at least 1 item".
  const { web } = loadClusterFile(project.file).cluster;
  if (web.length === 1 && web[0]!.name === name) throw lastWebNode(name);
  return changeCluster(project, options, runner, progress, (src) => removeNode(src, 'web', name), async (ctx, { previous, next }) => {
    const t0 = Date.now();
    let drained = true;
    if (await balancerRunning(ctx.driver, previous, 'lb-web')) {
      progress(name, 'draining: no new visitors, sticky ones may finish');
      await runLbWebActions(ctx.driver, [takeOut(name, 'drain', 'being removed: no new visitors, sticky ones may finish')]);
      drained = await waitIdle(ctx, name, options.timeoutS * 1000, 1000);
      progress(name, drained ? 'no sessions left; taking it out of rotation' : `still busy after ${options.timeoutS} s; taking it out anyway`);
      await runLbWebActions(ctx.driver, [takeOut(name, 'maint', 'being removed: out of rotation')]);
      await waitIdle(ctx, name, 5000, 0);
    }
    await converge(ctx, next);
    await ctx.driver.stop(name, progress);
    return { node: name, drained, waited_s: Math.round((Date.now() - t0) / 100) / 10 };
  });
}

function takeOut(server: string, state: 'drain' | 'maint', reason: string): ServerAction {
  return { kind: 'set-server-state', lb: 'lb-web', backend: WEB_BACKEND, server, state, reason };
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
    const next = editClusterFile(project.file, edit, { dryRun: true }).cluster;
    const ctx = await openContext(project, options, runner, progress);
    return outcome(next, await planLbWebStates(ctx.driver, next, [name]), true);
  }
  return changeCluster(project, options, runner, progress, edit, async (ctx, { next }) => {
    // Only the runtime API: no file to render or check, no reload. Every start or reload
    // renders from cluster.yaml and applies the states again, and a reload is due only
    // when more than states and weights changed (RenderedFile.shape).
    const plan = await planLbWebStates(ctx.driver, next, [name]);
    if (plan) await runLbWebActions(ctx.driver, plan);
    return outcome(next, plan, false);
  });
}

/** Switch both lb-web's persistence and the app's session handler; no web node restarts. */
export async function switchSessionMode(project: Project, mode: SessionMode, options: OpOptions, runner: Runner, progress: Progress): Promise<UpSummary & { mode: SessionMode; previous: SessionMode }> {
  return changeCluster(project, options, runner, progress, (src) => setSessionMode(src, mode), async (ctx, { previous, next }) => {
    if (previous.sessionMode === mode) return { started: [], reloaded: [], runtime: ctx.runtime, endpoints: endpointsOf(next), mode, previous: mode };
    progress('session mode', `${previous.sessionMode} → ${mode}`);
    if (previous.sessionMode !== 'db') return { ...(await converge(ctx, next)), mode, previous: previous.sessionMode };
    // Leaving db mode: lb-web first, the app's handler after. In between, DB
    // sessions still work on every node; the other way round, a session
    // created in files would be lost on the visitor's next, unpinned request.
    const files = renderFor(ctx, next);
    const before = new Map(renderFor(ctx, previous).map((f) => [f.path, f]));
    const summary = await converge(ctx, next, {}, files.map((f) => (f.kind === 'app' ? (before.get(f.path) ?? f) : f)));
    // The balancers' files were already next's: only the app's change now.
    await ctx.driver.writeConfig(files);
    return { ...summary, mode, previous: previous.sessionMode };
  });
}
