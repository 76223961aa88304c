import { describe, expect, it } from 'vitest';
import type { ClusterStatus, DbNodeStatus, WebNodeStatus } from '../../src/status/model.js';
import { advance } from '../../src/status/transitions.js';

const ids = { pid: null, pgid: null, container: null, started_at: null };
const web = (name: string, status: string) => ({ type: 'web', name, status, process: 'running', ...ids }) as unknown as WebNodeStatus;
const db = (name: string, role: 'active' | 'backup', status = 'UP', sql = 'Yes') =>
  ({ type: 'db', name, role, status, process: 'running', replication: [{ from: name === 'mysql1' ? 'mysql2' : 'mysql1', io_running: 'Yes', sql_running: sql }], ...ids }) as unknown as DbNodeStatus;

function snapshot(over: Partial<ClusterStatus> = {}): ClusterStatus {
  return {
    cluster: 'c',
    runtime: 'local',
    engine: 'haproxy',
    health: 'healthy',
    health_reasons: [],
    endpoints: { http: '', stats: '', db: '' },
    tls: null,
    nodes: [web('web1', 'UP'), web('web2', 'UP'), db('mysql1', 'active'), db('mysql2', 'backup')],
    stores: [],
    balancers: [
      { type: 'lb', name: 'lb-web', process: 'running', ...ids },
      { type: 'lb', name: 'lb-db', process: 'running', ...ids },
    ],
    ...over,
  };
}

/** The changes seen along SNAPSHOTS, in order, as "subject: from → to". */
function along(...snapshots: ClusterStatus[]): string[] {
  let known = new Map<string, string>();
  const seen: string[] = [];
  for (const s of snapshots) {
    const next = advance(known, s);
    known = next.known;
    seen.push(...next.changes.map((c) => `${c.subject}: ${c.from} → ${c.to}`));
  }
  return seen;
}

describe('changes of state, as the event log tells them', () => {
  it('the first reading is no change; a node killed and brought back: down once, up once, not every check on the way', () => {
    const nodes = (w1: string) => [web('web1', w1), web('web2', 'UP'), db('mysql1', 'active'), db('mysql2', 'backup')];
    expect(
      along(
        snapshot(),
        snapshot({ nodes: nodes('DOWN 1/2') }),
        snapshot({ nodes: nodes('DOWN'), health: 'degraded' }),
        snapshot({ nodes: nodes('DOWN'), health: 'degraded' }),
        snapshot({ nodes: nodes('UP 1/2'), health: 'degraded' }),
        snapshot({ nodes: nodes('UP') }),
      ),
    ).toEqual(['web1: up → down', 'cluster: healthy → degraded', 'web1: down → up', 'cluster: degraded → healthy']);
  });

  it("lb-db's writer moving, a replication link broken, a balancer stopped, a drain, a Redis node's role", () => {
    const moved = snapshot({ nodes: [web('web1', 'DRAIN'), web('web2', 'UP'), db('mysql1', 'backup', 'UP', 'No'), db('mysql2', 'active')], balancers: [{ type: 'lb', name: 'lb-web', process: 'stopped', ...ids }, { type: 'lb', name: 'lb-db', process: 'running', ...ids }] });
    expect(along(snapshot(), moved)).toEqual(['web1: up → drain', 'replication mysql1 from mysql2: replicating → broken', "lb-db's writer: mysql1 → mysql2", 'lb-web: up → stopped']);
    const store = (role: 'primary' | 'replica') => snapshot({ stores: [{ type: 'store', store: 'redis', name: 'redis1', address: '', port: 6379, status: 'UP', process: 'running', role, ...ids }] });
    expect(along(store('primary'), store('replica'))).toEqual(['redis1 role: primary → replica']);
  });

  it('a node that comes or goes (an operation, logged by it) is no change of state', () => {
    expect(along(snapshot(), snapshot({ nodes: [web('web1', 'UP'), web('web2', 'UP'), web('web3', 'UP'), db('mysql1', 'active'), db('mysql2', 'backup')] }), snapshot())).toEqual([]);
  });
});
