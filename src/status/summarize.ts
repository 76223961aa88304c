import type { StatRow } from '../haproxy/stat.js';
import type { DbNodeStatus, Health, ReplicationLink, WebNodeStatus, BalancerStatus } from './model.js';

/** HAProxy's server status in the words status shows; weight 0 on an UP server is a drain. */
export function serverStatus(row: StatRow | undefined): string {
  if (!row) return 'UNKNOWN';
  const status = row.status ?? '';
  if (status === 'UP' && row.weight === '0') return 'DRAIN';
  return status.replace(/^no check$/, 'UP (no check)');
}

/** "L7OK 200 in 2 ms", "L4CON in 0 ms" */
export function checkText(row: StatRow | undefined): string {
  if (!row || !row.check_status) return '';
  const code = row.check_code ? ` ${row.check_code}` : '';
  const duration = row.check_duration !== '' && row.check_duration !== undefined ? ` in ${row.check_duration} ms` : '';
  return `${row.check_status.replace(/^\* ?/, '')}${code}${duration}`;
}

export function summarizeReplication(links: ReplicationLink[] | undefined): string {
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
  const isUp = (s: string) => s === 'UP' || s.startsWith('UP ') || s === 'DRAIN';
  const serving = lbUp('lb-web') && web.some((n) => isUp(n.status)) && (db.length === 0 || (lbUp('lb-db') && db.some((n) => isUp(n.status))));
  if (!serving) return 'down';
  const allWell =
    web.every((n) => n.status === 'UP' || n.status === 'DRAIN' || n.status === 'MAINT') &&
    db.every((n) => n.status === 'UP' && n.replication_summary === 'Synced');
  return allWell ? 'healthy' : 'degraded';
}
