import type { Leftover, Progress } from '../drivers/driver.js';
import { loadClusterFile } from '../spec/load.js';
import type { Runner } from '../util/runner.js';
import { openContext, type OpOptions } from './context.js';
import { withLock } from './lock.js';
import type { Project } from './project.js';

export interface CleanResult {
  removed: Leftover[];
  /** Still running though not in cluster.yaml: left alone. */
  skipped: Leftover[];
  dryRun: boolean;
}

/** Remove the files, data and logs of nodes that are no longer in cluster.yaml; with dryRun, only list them. */
export async function clean(project: Project, options: OpOptions & { dryRun: boolean }, runner: Runner, progress: Progress): Promise<CleanResult> {
  const ctx = await openContext(project, options, runner, progress);
  return withLock(project.stateDir, 'clean', async () => {
    const leftovers = await ctx.driver.leftovers(loadClusterFile(project.file).cluster);
    const removed = leftovers.filter((l) => !l.running);
    if (!options.dryRun) for (const l of removed) await ctx.driver.removeLeftover(l);
    return { removed, skipped: leftovers.filter((l) => l.running), dryRun: options.dryRun };
  });
}
