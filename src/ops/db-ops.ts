import type { Progress } from '../drivers/driver.js';
import { planAddDb, planRemoveDb, removableDb } from '../plan/changes.js';
import { addNode, removeNode, type NewDbNode } from '../spec/edit.js';
import type { DbNode } from '../spec/model.js';
import { hostPort } from '../util/net.js';
import type { Runner } from '../util/runner.js';
import { nodeHost } from '../spec/endpoints.js';
import { loadClusterFile } from '../spec/load.js';
import { changeCluster, type DryRun } from './change.js';
import type { OpOptions } from './context.js';
import type { Executed } from './execute.js';
import type { Project } from './project.js';
import { planChange, planThenCarryOut, type UpSummary } from './up.js';

type Live = OpOptions & { dryRun?: boolean | undefined };

/**
 * A new master joins while the cluster serves: the runtime starts it,
 * clones it from a live master at that master's GTID position, connects it
 * both ways with every other master, waits until it has caught up, and only
 * then lb-db reloads with it as a backup (lb-db comes after the DB nodes in
 * the plan). What an earlier node of that name left goes first.
 */
export async function addDb(project: Project, node: NewDbNode, options: Live, runner: Runner, progress: Progress): Promise<(UpSummary & Executed & { node: DbNode; address: string }) | DryRun> {
  return changeCluster(project, options, runner, progress, (src) => addNode(src, 'db', node), async (ctx, change) => {
    const planned = await planChange(ctx, change, (desired, observed) => planAddDb(node.name, desired, observed), { leftovers: true });
    const r = await planThenCarryOut(ctx, change, planned, options.dryRun);
    if ('dry_run' in r) return r;
    const added = change.next.db.find((n) => n.name === node.name)!;
    return { ...r, node: added, address: hostPort(nodeHost(added, ctx.runtime), added.port) };
  });
}

export interface RemoveDbResult {
  node: string;
  /** The master lb-db sends writes to afterwards, if one is left. */
  active: string | null;
  moved_active: boolean;
}

/**
 * Take a master out: lb-db first (the next master takes the active role if
 * it had it), then the others stop replicating from it once they hold all
 * it wrote, then it stops. Its data stays until `hactl clean`.
 */
export async function removeDb(project: Project, name: string, options: Live & { force: boolean }, runner: Runner, progress: Progress): Promise<RemoveDbResult | DryRun> {
  // Refused before anything is touched, the lock included; again by the planner, on the file as it is then.
  const now = loadClusterFile(project.file).cluster;
  // A name it does not have is the edit's to refuse, in the words every remove uses.
  if (now.db.some((n) => n.name === name)) removableDb(name, now, options.force);
  return changeCluster(project, options, runner, progress, (src) => removeNode(src, 'db', name), async (ctx, change) => {
    const planned = await planChange(ctx, change, (desired, observed) => planRemoveDb(name, change.previous, desired, observed, options.force));
    const { index, successor } = removableDb(name, change.previous, options.force);
    if (!options.dryRun && index === 0) progress('lb-db', `moving the active role to ${successor.name}`);
    const r = await planThenCarryOut(ctx, change, planned, options.dryRun);
    return 'dry_run' in r ? r : { node: name, active: successor.name, moved_active: index === 0 };
  });
}
