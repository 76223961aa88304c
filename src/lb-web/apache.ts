import { memberStatus, type ApacheMember } from '../apache/balancer-manager.js';
import { ManagerClient, NotAManager } from '../apache/manager-client.js';
import { HactlError } from '../errors.js';
import { WEB_BACKEND } from '../haproxy/server-admin.js';
import type { ServerAction } from '../plan/action.js';
import { STATS_USER } from '../render/apache.js';
import type { Secrets } from '../secrets/store.js';
import { endpointsOf } from '../spec/endpoints.js';
import type { Cluster, NodeState, WebNode } from '../spec/model.js';
import { conditionOf } from '../status/model.js';
import { notRunning, type LbWebClient, type WebMember } from './client.js';

/** Dis or Stop: out of rotation, as HAProxy's maintenance; Drn: drain. */
function adminState(flags: readonly string[]): NodeState {
  if (flags.includes('Dis') || flags.includes('Stop')) return 'maint';
  return flags.includes('Drn') ? 'drain' : 'ready';
}

/** What Apache says of a member's health, in words: its checks failed, or a request found it refusing. */
function checkWords(flags: readonly string[]): string {
  if (flags.includes('HcFl')) return 'health check failed';
  if (flags.includes('Err')) return 'in error (a request could not reach it)';
  return flags.includes('Ok') ? 'health check passed' : '';
}

export function apacheMember(m: ApacheMember, node: WebNode): WebMember {
  // Validation keeps the apache engine's weights to 1-100: a weight is the loadfactor.
  const weight = m.loadfactor;
  const status = memberStatus(m.flags);
  return {
    name: node.name,
    status,
    flags: m.flags.join(' '),
    check: checkWords(m.flags),
    // hcheck marks a failing member HcFl, and a member a request found dead Err, until a check passes.
    checked: !m.flags.includes('HcFl') && !m.flags.includes('Err') && conditionOf(status) !== 'unknown',
    sinceChangeS: null,
    sessions: m.busy,
    queued: null,
    total: m.elected,
    activity: m.read,
    weight,
    admin: { backend: WEB_BACKEND, name: node.name, state: adminState(m.flags), weight },
  };
}

/**
 * lb-web on Apache: balancer-manager on the stats port (the entry point
 * users reach, in both runtimes), behind the stats login. A member is a
 * web node by its route, which is the node's cookie value.
 */
export function apacheLbWeb(cluster: Cluster, secrets: Secrets): LbWebClient {
  const stats = new URL(endpointsOf(cluster).stats).host;
  const manager = new ManagerClient(stats, STATS_USER, secrets.stats_password.reveal());
  const byName = new Map(cluster.web.map((n) => [n.name, n]));
  return {
    engine: 'apache',
    async members(): Promise<WebMember[] | undefined> {
      let members: ApacheMember[];
      try {
        members = (await manager.balancer()).members;
      } catch (err) {
        if (notRunning(err) || err instanceof NotAManager) return undefined;
        throw err;
      }
      return cluster.web.flatMap((node) => {
        const m = members.find((x) => x.route === node.cookie);
        return m ? [apacheMember(m, node)] : [];
      });
    },
    async apply(actions: readonly ServerAction[]): Promise<void> {
      for (const action of actions) {
        const node = byName.get(action.server);
        if (!node) throw new HactlError(`lb-web (apache) has no web node named ${action.server} in cluster.yaml`);
        await manager.apply(action, node.cookie);
      }
    },
  };
}
