import { sentinelQuorum } from '../spec/model.js';
import type { StatRow } from '../haproxy/stat.js';
import { AGENT_STALE_S, type AgentAnswer } from './db-agent.js';
import { conditionOf, type BalancerStatus, type ClusterStatus, type StoreNodeStatus, type TlsStatus, type DbNodeStatus, type Health, type NodeStatusWord, type ReplicationLink, type ReplicationSummary, type WebNodeStatus } from './model.js';

// HAProxy's words for a server in `show stat`; anything else is not taken for a status.
const HAPROXY_STATUS = /^(UP|DOWN|NOLB|DRAIN|MAINT)( \d+\/\d+|.*)?$/;

/** HAProxy's server status in the words status shows; weight 0 on an UP server is a drain. */
export function serverStatus(row: StatRow | undefined): NodeStatusWord {
  const status = row?.status ?? '';
  if (status === 'no check') return 'UP (no check)';
  if (!HAPROXY_STATUS.test(status)) return 'UNKNOWN';
  if (status === 'UP' && row?.weight === '0') return 'DRAIN';
  return status as NodeStatusWord;
}

const PASSED = /^(L4OK|L6OK|L7OK|L7OKC)$/;

/** The server's last check passed (a server is taken for UP before its first check: that is not a pass). */
export function checkPassed(row: StatRow): boolean {
  return PASSED.test((row.check_status ?? '').replace(/^\* ?/, ''));
}

/** "L7OK 200 in 2 ms", "L4CON in 0 ms" */
export function checkText(row: StatRow | undefined): string {
  if (!row || !row.check_status) return '';
  const code = row.check_code ? ` ${row.check_code}` : '';
  const duration = row.check_duration !== '' && row.check_duration !== undefined ? ` in ${row.check_duration} ms` : '';
  return `${row.check_status.replace(/^\* ?/, '')}${code}${duration}`;
}

export function summarizeReplication(links: ReplicationLink[] | undefined): ReplicationSummary {
  if (!links) return 'unreachable';
  if (links.length === 0) return 'no replication';
  const broken = links.find((l) => l.io_running !== 'Yes' || l.sql_running !== 'Yes');
  if (broken) {
    const why = broken.last_error || `from ${broken.from}: IO ${broken.io_running}, SQL ${broken.sql_running}`;
    return `Broken: ${why}`;
  }
  const lag = Math.max(...links.map((l) => l.seconds_behind ?? 0));
  return lag > 0 ? `Lagging ${lag} s` : 'Synced';
}

/**
 * The master lb-db writes to: its writer entry, while lb-db can use that
 * master; otherwise (none, none known, or one that is down) the one HAProxy
 * will pick: the first usable in cluster.yaml's order.
 */
export function activeMaster(masters: { name: string; status: NodeStatusWord }[], entry: string | null | undefined): string | undefined {
  if (entry && masters.some((m) => m.name === entry && ['up', 'failing', 'drain'].includes(conditionOf(m.status)))) return entry;
  return masters.find((m) => conditionOf(m.status) === 'up')?.name;
}

/** Why lb-db does not use a running DB node, in its agent's words; or that the agent itself is silent. */
export function agentReason(agent: AgentAnswer | null, running: boolean): string | null {
  if (!running) return null;
  if (!agent || agent.age_s === null || agent.age_s > AGENT_STALE_S) return 'its health agent does not answer';
  if (agent.answer === 'up') return null;
  return `${agent.answer.toUpperCase()}: ${agent.reason}`;
}

/**
 * healthy: every node up and in sync. degraded: the site answers (lb-web with
 * an UP web node, lb-db with an UP DB node) but something is not well, each
 * cause in REASONS. down: the site or its DB cannot be reached.
 */
export function overallHealth(web: WebNodeStatus[], db: DbNodeStatus[], balancers: BalancerStatus[], stores: StoreNodeStatus[] = []): { health: Health; reasons: string[] } {
  const lbUp = (name: string) => balancers.find((b) => b.name === name)?.process === 'running';
  const serves = (s: NodeStatusWord) => ['up', 'failing', 'drain'].includes(conditionOf(s));
  const reasons: string[] = [];
  for (const lb of balancers) if (lb.process !== 'running') reasons.push(`${lb.name} is not running`);
  if (!web.some((n) => serves(n.status))) reasons.push('no web node serves');
  if (db.length > 0 && !db.some((n) => conditionOf(n.status) === 'up')) reasons.push('no DB node takes connections');
  const serving = lbUp('lb-web') && web.some((n) => serves(n.status)) && (db.length === 0 || (lbUp('lb-db') && db.some((n) => serves(n.status))));
  for (const n of web) if (!['up', 'drain', 'maint'].includes(conditionOf(n.status))) reasons.push(`${n.name} is ${n.status}`);
  // One master has nothing to replicate from: no replication is expected of it.
  const alone = db.length === 1;
  for (const n of db) {
    const stopped = n.replication.filter((l) => l.io_running !== 'Yes' || l.sql_running !== 'Yes');
    // An error stopped it: the data differ, and only a rebuild from the writer mends that.
    const hint = stopped.some((l) => l.last_error && l.sql_running !== 'Yes') && n.role === 'backup' ? ` (hactl db resync ${n.name} rebuilds it from the active master)` : '';
    if (conditionOf(n.status) !== 'up') {
      reasons.push(`${n.name} is ${n.reason ?? n.status}${hint}`);
      continue;
    }
    if (n.reason) reasons.push(`${n.name}: ${n.reason}`);
    // The error itself is in the replication details.
    if (stopped.length > 0) reasons.push(`${n.name}: replication from ${stopped.map((l) => l.from).join(', ')} is not running${hint}`);
    else if (n.replication_summary !== 'Synced' && !(alone && n.replication_summary === 'no replication')) reasons.push(`${n.name}: replication ${n.replication_summary}`);
  }
  reasons.push(...storeReasons(stores));
  if (!serving) return { health: 'down', reasons };
  return { health: reasons.length === 0 ? 'healthy' : 'degraded', reasons };
}

/**
 * The session store in use. Memcached: one node down keeps every session
 * (each is on two); none up keeps none. Redis: sessions need the primary
 * in lb-db; a failover needs a majority of the Sentinels.
 */
function storeReasons(stores: StoreNodeStatus[]): string[] {
  const reasons: string[] = [];
  const nodes = stores.filter((n) => n.store !== 'sentinel');
  const up = nodes.filter((n) => n.status === 'UP').length;
  const spare = nodes[0]?.store === 'memcached' ? ': the sessions are on the others too' : '';
  for (const n of nodes) if (n.status !== 'UP') reasons.push(`${n.name} (${n.store}) is ${n.status}${up > 0 ? spare : ''}`);
  if (nodes.length > 0 && up === 0) reasons.push(`no ${nodes[0]!.store} node runs: no visitor keeps a session`);
  else if (nodes[0]?.store === 'redis' && !nodes.some((n) => n.role === 'primary')) reasons.push('lb-db has no Redis primary: no visitor keeps a session until one is promoted');
  const sentinels = stores.filter((n) => n.store === 'sentinel');
  const quorum = sentinelQuorum({ sentinel: sentinels });
  const watching = sentinels.filter((n) => n.status === 'UP').length;
  for (const n of sentinels) if (n.status !== 'UP') reasons.push(`${n.name} (sentinel) is ${n.status}${watching < quorum ? `: with ${watching} of ${sentinels.length} Sentinels no replica is promoted when the primary dies (${quorum} must agree)` : ''}`);
  return reasons;
}

/** STATUS with the certificate lb-web serves: an expired one degrades it (clients refuse it). */
export function withTls(status: ClusterStatus, tls: TlsStatus | null): ClusterStatus {
  if (!tls || tls.days_left >= 0 || status.health === 'down') return { ...status, tls };
  // hactl renews only its own; the user's is theirs to replace.
  const way = tls.source === 'own' ? 'hactl cert renew makes a new one' : 'hactl cert set --cert FILE --key FILE serves a new one';
  const reason = `lb-web's certificate expired on ${tls.not_after.slice(0, 10)}: browsers refuse it (${way})`;
  return { ...status, tls, health: 'degraded', health_reasons: [...status.health_reasons, reason] };
}
