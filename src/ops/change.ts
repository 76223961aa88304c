import type { Progress } from '../drivers/driver.js';
import type { Action } from '../plan/action.js';
import { editClusterFile, writeEdited } from '../spec/edit-file.js';
import { readClusterFile } from '../spec/read.js';
import type { Cluster } from '../spec/model.js';
import type { YamlSource } from '../spec/yaml-source.js';
import type { Runner } from '../util/runner.js';
import { openContext, type OpContext, type OpOptions } from './context.js';
import { withLock } from './lock.js';
import type { Project } from './project.js';

export interface Change {
  previous: Cluster;
  next: Cluster;
  /** cluster.yaml's text for NEXT, when it is not yet on disk (a live change writes it once applied). */
  text?: string;
}

/** What an operation answers with --dry-run: the plan it would carry out; nothing was run or written. */
export interface DryRun {
  dry_run: true;
  actions: Action[];
}

/**
 * The one path of every live change: edit cluster.yaml's text (comments
 * kept) and validate the result, then APPLY (which plans, and carries the
 * plan out unless DRY_RUN), and only then write cluster.yaml. Bad input
 * fails before anything is touched, even the lock. If APPLY fails,
 * cluster.yaml is left as it was (and the apply has put back what served:
 * src/ops/apply.ts). A dry run takes no lock and writes
 * nothing (but secrets.json, as render).
 */
export async function changeCluster<T>(
  project: Project,
  options: OpOptions & { dryRun?: boolean | undefined },
  runner: Runner,
  progress: Progress,
  edit: (src: YamlSource) => void,
  apply: (ctx: OpContext, change: Change) => Promise<T>,
): Promise<T> {
  const first = editClusterFile(project.file, edit, { dryRun: true });
  const ctx = await openContext(project, options, runner, progress);
  if (options.dryRun) return apply(ctx, { previous: first.previous, next: first.cluster });
  return withLock(project.stateDir, 'change', async () => {
    // Again under the lock if the file changed while we waited for it.
    const edited = readClusterFile(project.file) === first.before ? first : editClusterFile(project.file, edit, { dryRun: true });
    const result = await apply(ctx, { previous: edited.previous, next: edited.cluster, text: edited.text });
    writeEdited(project.file, edited, edit);
    return result;
  });
}

