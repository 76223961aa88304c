import { clusterProcesses } from '../drivers/driver.js';
import type { RenderedFile } from '../render/index.js';
import type { Connection } from 'mysql2/promise';
import { replicating, replicationConnections } from '../mysql/replication-status.js';
import type { Desired, Observed, StalledLink } from '../plan/observed.js';
import { configHash, launchHash } from '../plan/process-hash.js';
import type { Cluster } from '../spec/model.js';
import { loadOrCreateSecrets } from '../secrets/store.js';
import { readApplied } from './applied.js';
import type { OpContext } from './context.js';
import { lbWebOf, readLbWebServers } from './server-state.js';
import { readRedisPrimary, readWriterEntry } from '../status/collect.js';

/**
 * What a plan is made from, gathered side by side: CLUSTER's processes as
 * its rendered FILES want them and as the runtime runs them, lb-web's view
 * of the web nodes and, for LEFTOVERS_OF, what nodes it does not have left.
 * The processes of PREVIOUS that CLUSTER no longer has are observed too:
 * how a node leaves depends on whether it still runs (remove db waits for
 * a running master's last writes to reach the others).
 */
export async function observe(
  ctx: OpContext,
  cluster: Cluster,
  files: RenderedFile[],
  options: { leftoversOf?: Cluster; previous?: Cluster } = {},
): Promise<{ desired: Desired; observed: Observed }> {
  const kept = new Set(clusterProcesses(cluster).map((p) => p.name));
  const leaving = options.previous ? clusterProcesses(options.previous).filter((p) => !kept.has(p.name)) : [];
  const [view, lbWeb, leftovers, before, writer, redisPrimary] = await Promise.all([
    ctx.driver.view(cluster, files),
    readLbWebServers(lbWebOf(ctx, cluster, options.previous)),
    options.leftoversOf ? ctx.driver.leftovers(options.leftoversOf) : [],
    options.previous && leaving.length > 0 ? ctx.driver.processes(options.previous) : [],
    readWriterEntry(ctx.driver),
    cluster.redis.length > 0 || (options.previous?.redis.length ?? 0) > 0 ? readRedisPrimary(ctx.driver) : undefined,
  ]);
  const applied = readApplied(ctx.project.stateDir);
  const desired = view.processes.map((p) => ({ name: p.name, kind: p.kind, hash: configHash(p.name, files), launch: launchHash(p.launch) }));
  // A running process with no record (its record lost, or started by an older hactl) is taken
  // as running what it should: a restart or reload for want of a record would cost for nothing.
  const seen = (running: boolean, rec: { hash: string; launch: string } | undefined) => ({ running, hash: rec?.hash, launch: rec?.launch });
  const observed = new Map(view.processes.map((p, i) => [p.name, seen(p.running, applied[p.name] ?? (p.running ? desired[i] : undefined))]));
  for (const p of before) if (!kept.has(p.name)) observed.set(p.name, seen(p.running, applied[p.name]));
  const stalled = await stalledLinks(ctx, cluster, new Set(view.processes.filter((p) => p.running).map((p) => p.name)));
  return {
    desired: { cluster, files: files.map(({ path, kind }) => ({ path, kind })), processes: desired },
    observed: { processes: observed, changed: view.changed, lbWeb, leftovers, stalled, writer, redisPrimary },
  };
}

/**
 * Of the masters that RUN, each one's connections from the others that
 * stand still (stopped by hand, or broken). A node that cannot be asked is
 * left out: a plan is not made on a guess.
 */
async function stalledLinks(ctx: OpContext, cluster: Cluster, running: ReadonlySet<string>): Promise<StalledLink[]> {
  const masters = cluster.db.filter((n) => running.has(n.name));
  if (cluster.db.length < 2 || masters.length === 0) return [];
  const secrets = loadOrCreateSecrets(ctx.project.stateDir);
  const per = await Promise.all(
    masters.map(async (node): Promise<StalledLink[]> => {
      let conn: Connection | undefined;
      try {
        conn = await ctx.driver.dbRoot(node.name, secrets);
        const links = await replicationConnections(conn);
        return cluster.db
          .filter((m) => m.name !== node.name)
          .flatMap((m) => {
            const link = links.find((l) => l.from === m.name);
            if (!link) return [{ node: node.name, from: m.name, why: 'no connection' }];
            return replicating(link) ? [] : [{ node: node.name, from: m.name, why: `IO ${link.ioRunning}, SQL ${link.sqlRunning}` }];
          });
      } catch {
        return [];
      } finally {
        await conn?.end().catch(() => undefined);
      }
    }),
  );
  return per.flat();
}
