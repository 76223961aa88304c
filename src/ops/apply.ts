import { readVersion, runningVersion } from '../history/store.js';
import { HactlError } from '../errors.js';
import { stepLine, type Action } from '../plan/action.js';
import { planRestore } from '../plan/changes.js';
import type { RenderedFile } from '../render/index.js';
import { checkClusterText } from '../spec/check.js';
import type { Cluster } from '../spec/model.js';
import type { Change } from './change.js';
import type { OpContext } from './context.js';
import { execute, failedStep } from './execute.js';
import { observe } from './observe.js';
import { messageOf, recordApply } from './record.js';
import { renderFor } from './render.js';

/**
 * The apply step of every change, whatever asked for it: RUN carries out
 * PLAN (NEXT's FILES); either way the version is recorded. When any step
 * fails, what served before is put back on disk and in the running
 * balancers first, and the error says so.
 */
export async function applyRecorded<T>(ctx: OpContext, change: Change, files: readonly RenderedFile[], plan: readonly Action[], run: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await run();
  } catch (err) {
    const step = failedStep(err) ?? 'waiting for the balancers to see every node UP';
    const restored = await restoreServing(ctx, change, plan).catch((e: unknown) => `putting back what served failed too: ${messageOf(e)}`);
    record(ctx, () => recordApply(ctx, change, files, plan, { error: err, step, restored }));
    throw withRestored(err, restored);
  }
  record(ctx, () => recordApply(ctx, change, files, plan));
  return result;
}

/** What was applied stays applied when its record cannot be written (a damaged history folder): said, not thrown. */
function record(ctx: OpContext, write: () => void): void {
  try {
    write();
  } catch (err) {
    ctx.progress('history', `this apply was not recorded: ${messageOf(err)}`);
  }
}

/** What served before CHANGE: the running version of the history, else the cluster.yaml a live change edited. */
function serving(ctx: OpContext, change: Change): { cluster: Cluster; label: string } | undefined {
  try {
    const running = runningVersion(ctx.project.stateDir);
    const checked = running === undefined ? undefined : checkClusterText(readVersion(ctx.project.stateDir, running).cluster_yaml);
    if (checked?.problems.length === 0) return { cluster: checked.cluster, label: `version ${running}` };
  } catch {
    // A history that cannot be read: what a live change edited is the next best.
  }
  return change.previous === change.next ? undefined : { cluster: change.previous, label: 'the cluster.yaml before this change' };
}

/** After CHANGE's FAILED_PLAN failed: the plan back to what served (planRestore), carried out; what was done, in a sentence. */
async function restoreServing(ctx: OpContext, change: Change, failedPlan: readonly Action[]): Promise<string> {
  const to = serving(ctx, change);
  if (!to) return 'nothing to put back: no version was applied before';
  const files = renderFor(ctx, to.cluster);
  const { desired, observed } = await observe(ctx, to.cluster, files, { previous: change.next });
  const plan = planRestore(change.next, failedPlan, desired, observed);
  if (plan.length === 0) return `nothing had changed: ${to.label} serves as before`;
  ctx.progress('restore', `putting back ${to.label}: ${plan.map(stepLine).join('; ')}`);
  await execute(ctx, { previous: change.next, next: to.cluster }, files, plan);
  return `${to.label} is back on disk and in the balancers (${plan.length} ${plan.length === 1 ? 'step' : 'steps'})`;
}

/** ERR as it was, with what was put back after it as the last line of its details. */
function withRestored(err: unknown, restored: string): unknown {
  if (!(err instanceof HactlError)) return new HactlError(messageOf(err), undefined, [restored]);
  const out = new HactlError(err.message, err.exitCode, [...err.details, restored]);
  out.stack = err.stack;
  return out;
}
