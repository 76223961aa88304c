import { badInput } from '../errors.js';
import type { Cluster } from '../spec/model.js';
import { conditionOf, type DbNodeStatus } from '../status/model.js';
import type { MoveWriterAction } from './action.js';
import { noSuchDbNode } from './changes.js';

/**
 * hactl switchover TARGET: the writer moves to TARGET, which must be a
 * master of this cluster that lb-db takes connections to and that holds
 * what the writer wrote (its agent answers up, its link from the writer
 * runs). Already the writer: nothing to do. Refused with exit 2 otherwise,
 * before anything is touched.
 */
export function planSwitchover(target: string, cluster: Cluster, db: readonly DbNodeStatus[]): MoveWriterAction[] {
  const node = db.find((n) => n.name === target);
  if (!node) throw noSuchDbNode(target, cluster);
  const writer = db.find((n) => n.role === 'active');
  if (writer?.name === target) return [];
  const first = cluster.db[0]!.name;
  if (cluster.database.failback === 'auto' && target !== first) {
    throw badInput(`with database.failback: auto, ${first} takes the writes back as soon as it has caught up: a switchover to ${target} would not last`, ['set database.failback: manual in cluster.yaml to keep writes where a switchover puts them']);
  }
  if (node.process !== 'running') throw badInput(`${target} is not running: it cannot take writes (hactl start ${target} first)`);
  if (node.reason) throw badInput(`${target} cannot take writes now: ${node.reason}`, node.reason.startsWith('DRAIN') ? ['wait until it has caught up (hactl status shows it UP), then try again'] : []);
  if (conditionOf(node.status) !== 'up') throw badInput(`${target} is ${node.status} in lb-db: it cannot take writes`);
  const from = writer && conditionOf(writer.status) === 'up' && writer.process === 'running' ? writer.name : null;
  if (from) {
    const link = node.replication.find((l) => l.from === from);
    if (!link || link.io_running !== 'Yes' || link.sql_running !== 'Yes') {
      throw badInput(`${target} does not replicate from ${from} now (${link ? `IO ${link.io_running}, SQL ${link.sql_running}` : 'no connection'}): it would not hold all ${from} wrote`);
    }
  }
  return [
    {
      kind: 'move-writer',
      from,
      to: target,
      others: cluster.db.map((n) => n.name).filter((n) => n !== target),
      reason: from ? `${from} read-only, ${target} applies all ${from} wrote, lb-db sends writes to ${target}, then ${target} writable` : `no usable writer: ${target} takes the writes`,
    },
  ];
}
