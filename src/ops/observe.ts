import type { RenderedFile } from '../render/index.js';
import type { Desired, Observed } from '../plan/observed.js';
import { processHash } from '../plan/process-hash.js';
import type { Cluster } from '../spec/model.js';
import { readApplied } from './applied.js';
import type { OpContext } from './context.js';
import { readLbWebServers } from './server-state.js';

/**
 * What a plan is made from, gathered side by side: CLUSTER's processes as
 * its rendered FILES want them and as the runtime runs them, lb-web's view
 * of the web nodes and, for LEFTOVERS_OF, what nodes it does not have left.
 */
export async function observe(ctx: OpContext, cluster: Cluster, files: RenderedFile[], options: { leftoversOf?: Cluster } = {}): Promise<{ desired: Desired; observed: Observed }> {
  const [view, lbWeb, leftovers] = await Promise.all([
    ctx.driver.view(cluster, files),
    readLbWebServers(ctx.driver),
    options.leftoversOf ? ctx.driver.leftovers(options.leftoversOf) : [],
  ]);
  const applied = readApplied(ctx.project.stateDir);
  const desired = view.processes.map((p) => ({ name: p.name, kind: p.kind, hash: processHash(p.name, p.launch, files) }));
  // A running process with no record (its record lost, or started by an older hactl) is taken
  // as running what it should: a restart or reload for want of a record would cost for nothing.
  const observed = new Map(view.processes.map((p, i) => [p.name, { running: p.running, hash: applied[p.name]?.hash ?? (p.running ? desired[i]!.hash : undefined) }]));
  return {
    desired: { cluster, files: files.map(({ path, kind }) => ({ path, kind })), processes: desired },
    observed: { processes: observed, changed: view.changed, lbWeb, leftovers },
  };
}
