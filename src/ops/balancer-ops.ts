import type { Progress } from '../drivers/driver.js';
import { planUp } from '../plan/changes.js';
import { setBalancer } from '../spec/edit.js';
import type { Engine } from '../spec/model.js';
import type { Runner } from '../util/runner.js';
import { changeCluster, type DryRun } from './change.js';
import type { OpOptions } from './context.js';
import type { Executed } from './execute.js';
import type { Project } from './project.js';
import { planChange, planThenCarryOut, type UpSummary } from './up.js';

type Live = OpOptions & { dryRun?: boolean | undefined };

export type BalancerChange = { engine: Engine } | { trace: boolean };

/**
 * lb-web's engine or its trace log, recorded in cluster.yaml (balancer:)
 * and applied by the converge: a new engine restarts lb-web (the gap is in
 * the result's outages), trace is a graceful restart.
 */
export async function changeBalancer(project: Project, change: BalancerChange, options: Live, runner: Runner, progress: Progress): Promise<(UpSummary & Executed) | DryRun> {
  const edit = 'engine' in change ? (src: Parameters<typeof setBalancer>[0]) => setBalancer(src, 'engine', change.engine) : (src: Parameters<typeof setBalancer>[0]) => setBalancer(src, 'trace', change.trace);
  return changeCluster(project, options, runner, progress, edit, async (ctx, clusters) => planThenCarryOut(ctx, clusters, await planChange(ctx, clusters, planUp), options.dryRun));
}
