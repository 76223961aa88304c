import type { Leftover, Progress } from '../drivers/driver.js';
import type { Action } from '../plan/action.js';
import { planClean } from '../plan/changes.js';
import { loadClusterFile } from '../spec/load.js';
import type { Runner } from '../util/runner.js';
import { openContext, type OpOptions } from './context.js';
import { execute } from './execute.js';
import { withLock } from './lock.js';
import type { Project } from './project.js';

export interface CleanResult {
  removed: Leftover[];
  /** Still running though not in cluster.yaml: left alone. */
  skipped: Leftover[];
  dryRun: boolean;
  /** The plan carried out or, with dryRun, that would be. */
  actions: Action[];
}

/** Remove the files, data and logs of nodes that are no longer in cluster.yaml; with dryRun, only the plan. */
export async function clean(project: Project, options: OpOptions & { dryRun: boolean }, runner: Runner, progress: Progress): Promise<CleanResult> {
  const ctx = await openContext(project, options, runner, progress);
  const run = async (): Promise<CleanResult> => {
    const cluster = loadClusterFile(project.file).cluster;
    const leftovers = await ctx.driver.leftovers(cluster);
    const actions = planClean(leftovers);
    // The command lists what it removed; the executor's line for a leftover (written for add db's) would say it twice.
    if (!options.dryRun) await execute({ ...ctx, progress: () => undefined }, { previous: cluster, next: cluster }, [], actions);
    return { removed: leftovers.filter((l) => !l.running), skipped: leftovers.filter((l) => l.running), dryRun: options.dryRun, actions };
  };
  return options.dryRun ? run() : withLock(project.stateDir, 'clean', run);
}
