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
 * The session stores' live operations (memcached and Redis nodes): through
 * changeCluster, as the web tier's, for the CLI and the dashboard alike.
 */

type Live = OpOptions & { dryRun?: boolean | undefined };

/** The stores whose nodes come and go live (the Sentinels follow cluster.yaml through up). */
export type LiveStore = 'memcached' | 'redis';

/**
 * Start a store node, then tell its users: memcached's list goes to the web
 * nodes (a file they read per request: no restart); a Redis node starts as
 * a replica of the primary and lb-db reloads with it.
 */
export async function addStore(project: Project, tier: LiveStore, node: NewStoreNode, options: Live, runner: Runner, progress: Progress): Promise<(UpSummary & Executed & { node: StoreNode; address: string }) | DryRun> {
  return changeCluster(project, options, runner, progress, (src) => addNode(src, tier, node), async (ctx, change) => {
    const r = await planThenCarryOut(ctx, change, await planChange(ctx, change, planUp), options.dryRun);
    if ('dry_run' in r) return r;
    const added = change.next[tier].find((n) => n.name === node.name)!;
    return { ...r, node: added, address: hostPort(nodeHost(added, ctx.runtime), added.port) };
  });
}

/**
 * The store node's users stop using it, then it stops (planRemoveStore: a
 * Redis primary hands over first). The last one cannot go while sessions
 * live there (validation refuses it).
 */
export async function removeStore(project: Project, tier: LiveStore, name: string, options: Live, runner: Runner, progress: Progress): Promise<(UpSummary & Executed & { node: string }) | DryRun> {
  return changeCluster(project, options, runner, progress, (src) => removeNode(src, tier, name), async (ctx, change) => {
    const r = await planThenCarryOut(ctx, change, await planChange(ctx, change, (desired, observed) => planRemoveStore(name, change.previous, desired, observed)), options.dryRun);
    if ('dry_run' in r) return r;
    return { ...r, node: name };
  });
}
