import type { Progress } from '../drivers/driver.js';
import { planRemoveStore, planUp } from '../plan/changes.js';
import { addNode, removeNode, type NewStoreNode } from '../spec/edit.js';
import { nodeHost } from '../spec/endpoints.js';
import type { StoreNode } from '../spec/model.js';
import { hostPort } from '../util/net.js';
import type { Runner } from '../util/runner.js';
import { changeCluster, type DryRun } from './change.js';
import type { OpOptions } from './context.js';
import type { Executed } from './execute.js';
import type { Project } from './project.js';
import { planChange, planThenCarryOut, type UpSummary } from './up.js';

/**
 * The session stores' live operations (memcached nodes): through
 * changeCluster, as the web tier's, for the CLI and the dashboard alike.
 */

type Live = OpOptions & { dryRun?: boolean | undefined };

/** Start a memcached node, then give the web nodes their new list (a file they read per request: no restart). */
export async function addMemcached(project: Project, node: NewStoreNode, options: Live, runner: Runner, progress: Progress): Promise<(UpSummary & Executed & { node: StoreNode; address: string }) | DryRun> {
  return changeCluster(project, options, runner, progress, (src) => addNode(src, 'memcached', node), async (ctx, change) => {
    const r = await planThenCarryOut(ctx, change, await planChange(ctx, change, planUp), options.dryRun);
    if ('dry_run' in r) return r;
    const added = change.next.memcached.find((n) => n.name === node.name)!;
    return { ...r, node: added, address: hostPort(nodeHost(added, ctx.runtime), added.port) };
  });
}

/** The web nodes stop using a memcached node, then it stops. The last one cannot go while sessions live there (validation refuses it). */
export async function removeMemcached(project: Project, name: string, options: Live, runner: Runner, progress: Progress): Promise<(UpSummary & Executed & { node: string }) | DryRun> {
  return changeCluster(project, options, runner, progress, (src) => removeNode(src, 'memcached', name), async (ctx, change) => {
    const r = await planThenCarryOut(ctx, change, await planChange(ctx, change, (desired, observed) => planRemoveStore(name, desired, observed)), options.dryRun);
    if ('dry_run' in r) return r;
    return { ...r, node: name };
  });
}
