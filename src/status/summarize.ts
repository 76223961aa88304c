import type { StatRow } from '../haproxy/stat.js';
import { conditionOf, type BalancerStatus, type DbNodeStatus, type Health, type NodeStatusWord, type ReplicationLink, type ReplicationSummary, type WebNodeStatus } from './model.js';

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
 * healthy: every node up and in sync. degraded: the site answers (lb-web with
 * an UP web node, lb-db with an UP DB node) but something is not well.
 * down: the site or its DB cannot be reached.
 */
export function overallHealth(web: WebNodeStatus[], db: DbNodeStatus[], balancers: BalancerStatus[]): Health {
  const lbUp = (name: string) => balancers.find((b) => b.name === name)?.process === 'running';
  const serves = (s: NodeStatusWord) => ['up', 'failing', 'drain'].includes(conditionOf(s));
  const serving = lbUp('lb-web') && web.some((n) => serves(n.status)) && (db.length === 0 || (lbUp('lb-db') && db.some((n) => serves(n.status))));
  if (!serving) return 'down';
  const allWell =
    web.every((n) => ['up', 'drain', 'maint'].includes(conditionOf(n.status))) &&
    db.every((n) => conditionOf(n.status) === 'up' && n.replication_summary === 'Synced');
  return allWell ? 'healthy' : 'degraded';
}
