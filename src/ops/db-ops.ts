import type { Progress } from '../drivers/driver.js';
import { noSuchDbNode, planAddDb, planRemoveDb, removableDb } from '../plan/changes.js';
import { addNode, removeNode, type NewDbNode } from '../spec/edit.js';
import type { DbNode } from '../spec/model.js';
import { hostPort } from '../util/net.js';
import type { Runner } from '../util/runner.js';
import { nodeHost } from '../spec/endpoints.js';
import { loadClusterFile } from '../spec/load.js';
import { changeCluster, type DryRun } from './change.js';
import { execute, type Executed } from './execute.js';
import { openContext, type OpOptions } from './context.js';
import { badInput, HactlError } from '../errors.js';
import { resyncMaster } from '../mysql/replication-setup.js';
import { withLock } from './lock.js';
import { planSwitchover } from '../plan/switchover.js';
import { loadOrCreateSecrets } from '../secrets/store.js';
import { collectStatus, readWriterEntry } from '../status/collect.js';
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
  if (now.db.some((n) => n.name === name)) removableDb(name, now, await readWriterEntry((await openContext(project, options, runner, progress)).driver), options.force);
  return changeCluster(project, options, runner, progress, (src) => removeNode(src, 'db', name), async (ctx, change) => {
    let moved: string | undefined;
    const planned = await planChange(ctx, change, (desired, observed) => {
      const plan = planRemoveDb(name, change.previous, desired, observed, options.force);
      moved = plan.find((a) => a.kind === 'move-writer')?.to;
      return plan;
    });
    const r = await planThenCarryOut(ctx, change, planned, options.dryRun);
    if ('dry_run' in r) return r;
    return { node: name, active: moved ?? (await readWriterEntry(ctx.driver)) ?? null, moved_active: moved !== undefined };
  });
}

export interface SwitchoverResult {
  /** The writer before; null when none was usable. */
  from: string | null;
  to: string;
  /** False when TO already was the writer: nothing was done. */
  moved: boolean;
  /** How long no master took writes. */
  pause_ms: number;
}

/**
 * Move lb-db's writer to NAME (hactl switchover): planned from a status
 * snapshot (NAME must be up in lb-db, its agent content, its link from the
 * writer running), refused with exit 2 before anything is touched, then
 * carried out under the cluster's lock. cluster.yaml does not change: the
 * writer is lb-db's, kept across reloads by its peer.
 */
export async function switchover(project: Project, name: string, options: Live, runner: Runner, progress: Progress): Promise<SwitchoverResult | DryRun> {
  const ctx = await openContext(project, options, runner, progress);
  const { cluster } = loadClusterFile(project.file);
  const secrets = loadOrCreateSecrets(project.stateDir);
  const plan = async () => planSwitchover(name, cluster, (await collectStatus(cluster, ctx.runtime, ctx.driver, secrets)).nodes.filter((n) => n.type === 'db'));
  const first = await plan();
  if (options.dryRun) return { dry_run: true, actions: first };
  return withLock(project.stateDir, 'switchover', async () => {
    // Again under the lock: the writer may have moved while we waited for it.
    const actions = await plan();
    if (actions.length === 0) return { from: name, to: name, moved: false, pause_ms: 0 };
    const done = await execute(ctx, { previous: cluster, next: cluster }, [], actions);
    const move = done.writerMoves[0]!;
    return { ...move, moved: true };
  });
}

export interface ResyncResult {
  node: string;
  /** The active master it was rebuilt from. */
  from: string;
  /** The GTID position of the clone. */
  position: string;
  took_ms: number;
}

/**
 * hactl db resync NAME: rebuild a backup master from the active one, while
 * the cluster serves (lb-db keeps it out meanwhile: its agent answers down
 * or drain). Refused with exit 2 for a name it does not have, for the
 * active master (it is the source), and for a node that is not running.
 */
export async function resyncDb(project: Project, name: string, options: OpOptions, runner: Runner, progress: Progress): Promise<ResyncResult> {
  const ctx = await openContext(project, options, runner, progress);
  const { cluster } = loadClusterFile(project.file);
  const secrets = loadOrCreateSecrets(project.stateDir);
  return withLock(project.stateDir, 'db resync', async () => {
    const status = await collectStatus(cluster, ctx.runtime, ctx.driver, secrets);
    const db = status.nodes.flatMap((n) => (n.type === 'db' ? [n] : []));
    const target = db.find((n) => n.name === name);
    if (!target) throw noSuchDbNode(name, cluster);
    const active = db.find((n) => n.role === 'active');
    if (!active) throw new HactlError('lb-db names no active master to rebuild from (hactl status; hactl up)');
    if (active.name === name) {
      throw badInput(`${name} is the active master: it is what the others are rebuilt from, not rebuilt itself`, [`to rebuild it, move the writes first: hactl switchover ${db.find((n) => n.name !== name)?.name ?? 'mysqlN'}, then hactl db resync ${name}`]);
    }
    if (target.process !== 'running') throw badInput(`${name} is not running: start it first (hactl start ${name})`);
    const t0 = Date.now();
    const node = cluster.db.find((n) => n.name === name)!;
    const donor = cluster.db.find((n) => n.name === active.name)!;
    const position = await resyncMaster(cluster, secrets, node, donor, ctx.driver.dbAccess(cluster, secrets), runner, progress);
    return { node: name, from: donor.name, position, took_ms: Date.now() - t0 };
  });
}
