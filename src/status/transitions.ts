import { conditionOf, type ClusterStatus } from './model.js';

/**
 * What an event log says of a snapshot: each subject's settled state, by
 * name. A node on its way (UP 1/2, a check not seen yet) has none: its
 * change is told once it has arrived, not at every check on the way.
 */
export function settledStates(status: ClusterStatus): Map<string, string> {
  const states = new Map<string, string>();
  for (const n of status.nodes) {
    const condition = conditionOf(n.status);
    if (condition !== 'failing' && condition !== 'unknown') states.set(n.name, condition);
    if (n.type === 'db' && n.process === 'running') {
      for (const link of n.replication) {
        states.set(`replication ${n.name} from ${link.from}`, link.io_running === 'Yes' && link.sql_running === 'Yes' ? 'replicating' : 'broken');
      }
    }
  }
  const writer = status.nodes.find((n) => n.type === 'db' && n.role === 'active' && conditionOf(n.status) === 'up');
  if (writer) states.set("lb-db's writer", writer.name);
  for (const s of status.stores) {
    states.set(s.name, s.status === 'UP' ? 'up' : 'stopped');
    if (s.role) states.set(`${s.name} role`, s.role);
  }
  for (const b of status.balancers) states.set(b.name, b.process === 'running' ? 'up' : 'stopped');
  if (status.tls) states.set('certificate', status.tls.expiring ? 'expiring' : 'valid');
  states.set('cluster', status.health);
  return states;
}

/**
 * From the states KNOWN (none at the first reading) to those of STATUS:
 * the changes, and what is known now. A node on its way keeps its last
 * settled state; a subject that comes or goes is an operation's doing
 * (logged by it), not a change.
 */
export function advance(known: ReadonlyMap<string, string>, status: ClusterStatus): { known: Map<string, string>; changes: { subject: string; from: string; to: string }[] } {
  const now = settledStates(status);
  for (const n of status.nodes) {
    const was = known.get(n.name);
    if (!now.has(n.name) && was !== undefined) now.set(n.name, was);
  }
  const changes = [...now].flatMap(([subject, to]) => {
    const from = known.get(subject);
    return from !== undefined && from !== to ? [{ subject, from, to }] : [];
  });
  return { known: now, changes };
}
