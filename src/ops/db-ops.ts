import type { Connection } from 'mysql2/promise';
import type { Progress } from '../drivers/driver.js';
import { badInput } from '../errors.js';
import { detachMaster } from '../mysql/replication-setup.js';
import { loadOrCreateSecrets } from '../secrets/store.js';
import { addNode, removeNode, type NewDbNode } from '../spec/edit.js';
import type { Cluster, DbNode } from '../spec/model.js';
import type { Action } from '../plan/action.js';
import type { Runner } from '../util/runner.js';
import { loadClusterFile } from '../spec/load.js';
import { changeCluster, previewChange } from './change.js';
import type { OpOptions } from './context.js';
import type { Project } from './project.js';
import { converge, convergePlan, type UpSummary } from './up.js';

/**
 * A new master joins while the cluster serves: converge starts it, clones
 * it from a live master at that master's GTID position, connects it both
 * ways with every other master, waits until it has caught up, and only then
 * reloads lb-db with it as a backup.
 */
export async function addDb(project: Project, node: NewDbNode, options: OpOptions, runner: Runner, progress: Progress): Promise<UpSummary & { node: DbNode }> {
  return changeCluster(project, options, runner, progress, (src) => addNode(src, 'db', node), async (ctx, { previous, next }) => {
    // Data left by an earlier node of this name (removed, or a failed add) is not a
    // copy of the cluster: it would skip the clone and join lb-db as it is.
    const stale = (await ctx.driver.leftovers(previous)).find((l) => l.name === node.name);
    if (stale?.running) throw badInput(`${node.name} is still running though cluster.yaml does not have it; stop it first (hactl down, or add it back by hand and hactl remove db ${node.name})`);
    if (stale) {
      progress(node.name, 'removing what an earlier node of this name left behind');
      await ctx.driver.removeLeftover(stale);
    }
    const summary = await converge(ctx, next);
    return { ...summary, node: next.db.find((n) => n.name === node.name)! };
  });
}

/** add db --dry-run: the converge add db runs, to the file with the node in it. */
export function planAddDb(project: Project, node: NewDbNode, options: OpOptions, runner: Runner, progress: Progress): Promise<Action[]> {
  return previewChange(project, options, runner, progress, (src) => addNode(src, 'db', node), async (ctx, { previous, next }) => {
    const stale = (await ctx.driver.leftovers(previous)).find((l) => l.name === node.name);
    const clear: Action[] = stale ? [{ kind: 'remove-leftover', node: node.name, reason: 'its data is not a copy of the cluster' }] : [];
    return [...clear, ...(await convergePlan(ctx, next))];
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
export async function removeDb(project: Project, name: string, options: OpOptions & { force: boolean }, runner: Runner, progress: Progress): Promise<RemoveDbResult> {
  // Refused before anything is touched, the lock included; again under the lock, on the file as it is then.
  removableDb(name, loadClusterFile(project.file).cluster, options.force);
  return changeCluster(project, options, runner, progress, (src) => removeNode(src, 'db', name), async (ctx, { previous, next }) => {
    const { index, successor } = removableDb(name, previous, options.force);
    if (index === 0 && successor) progress('lb-db', `moving the active role to ${successor.name}`);
    await converge(ctx, next);
    const secrets = loadOrCreateSecrets(ctx.project.stateDir);
    const running = new Set((await ctx.driver.processes(previous)).filter((p) => p.running).map((p) => p.name));
    const conns: Connection[] = [];
    const open = async (n: DbNode) => {
      const conn = await ctx.driver.dbRoot(n.name, secrets);
      conns.push(conn);
      return { node: n, conn };
    };
    try {
      const leaving = running.has(name) ? await open(previous.db[index]!) : undefined;
      const remaining = await Promise.all(next.db.filter((n) => running.has(n.name)).map(open));
      await detachMaster(name, leaving, remaining, previous.database.user, progress);
    } finally {
      for (const c of conns) await c.end().catch(() => undefined);
    }
    await ctx.driver.stop(name, progress);
    return { node: name, active: successor?.name ?? null, moved_active: index === 0 && successor !== undefined };
  });
}

/** remove db --dry-run: the same steps as removeDb, around the converge to the file without the node. */
export function planRemoveDb(project: Project, name: string, options: OpOptions & { force: boolean }, runner: Runner, progress: Progress): Promise<Action[]> {
  return previewChange(project, options, runner, progress, (src) => removeNode(src, 'db', name), async (ctx, { previous, next }) => {
    const { index, successor } = removableDb(name, previous, options.force);
    const moves = index === 0 && successor !== undefined;
    // The active role moves with lb-db's new config: its reload says so.
    const converge = (await convergePlan(ctx, next)).map((a) =>
      moves && a.kind === 'reload' && a.process === 'lb-db' ? { ...a, reason: `${a.reason}: ${successor.name} becomes the active master` } : a,
    );
    return [
      ...converge,
      { kind: 'detach', node: name, reason: 'the other masters stop replicating from it once they hold all it wrote' },
      { kind: 'stop', process: name, reason: 'no longer in cluster.yaml (its data stays until hactl clean)' },
    ];
  });
}

/**
 * NAME may leave: never the last DB node (it holds the app's data, and the
 * file would be left with an empty db: list), the active master only with
 * FORCE. Its place in db: and the master that takes over.
 */
function removableDb(name: string, cluster: Cluster, force: boolean): { index: number; successor: DbNode | undefined } {
  const index = cluster.db.findIndex((n) => n.name === name);
  const successor = cluster.db.find((n) => n.name !== name);
  if (index < 0) return { index, successor };
  if (!successor) {
    throw badInput(`${name} is the last DB node and holds the app's data: it cannot be removed, with or without --force`, [
      'to run without a database, delete the db: key from cluster.yaml by hand (after switching away from session_mode: db), then hactl up',
    ]);
  }
  if (index === 0 && !force) {
    throw badInput(`${name} is the active master (lb-db sends every write to it); --force moves the active role to ${successor.name} first`);
  }
  return { index, successor };
}
