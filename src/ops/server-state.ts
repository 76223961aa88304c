import type { ServerAdmin } from '../haproxy/servers-state.js';
import { WEB_BACKEND } from '../haproxy/server-admin.js';
import { lbWebClient, type LbWebClient } from '../lb-web/index.js';
import { planWebStates } from '../plan/web-states.js';
import { loadOrCreateSecrets } from '../secrets/store.js';
import type { Cluster } from '../spec/model.js';
import type { OpContext } from './context.js';

/**
 * lb-web's runtime side for CLUSTER's engine (HAProxy's runtime API, or
 * Apache's balancer-manager), knowing PREVIOUS's web nodes too: remove web
 * drains and waits for a node the edited cluster.yaml no longer has.
 */
export function lbWebOf(ctx: OpContext, cluster: Cluster, previous?: Cluster): LbWebClient {
  const gone = previous?.web.filter((n) => !cluster.web.some((m) => m.name === n.name)) ?? [];
  return lbWebClient(ctx.driver, { ...cluster, web: [...cluster.web, ...gone] }, loadOrCreateSecrets(ctx.project.stateDir));
}

/** lb-web's web servers' administrative state and weight; undefined when no lb-web answers. */
export async function readLbWebServers(lbWeb: LbWebClient): Promise<ServerAdmin[] | undefined> {
  return (await lbWeb.members())?.map((m) => m.admin);
}

/**
 * Tell a running lb-web the admin state and weight cluster.yaml gives each
 * web node, through its runtime side: no reload. After a start or a reload
 * (sync-web-states), so a state restored from the server-state file never
 * outlives cluster.yaml, and when a failed change is put back.
 */
export async function applyWebStates(lbWeb: LbWebClient, cluster: Cluster): Promise<void> {
  const servers = await readLbWebServers(lbWeb);
  if (servers) await lbWeb.apply(planWebStates(cluster.web, servers, WEB_BACKEND));
}
