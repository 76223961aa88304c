import { describe, expect, it } from 'vitest';
import { planSwitchover } from '../../src/plan/switchover.js';
import { validCluster } from '../../src/spec/load.js';
import type { DbNodeStatus } from '../../src/status/model.js';

const cluster = validCluster('cluster.yaml', 'name: shop\nweb: [web1]\ndb: [mysql1, mysql2, mysql3]\n').cluster;

const link = (from: string, over: object = {}) => ({ from, io_running: 'Yes', sql_running: 'Yes', seconds_behind: 0, gtid_io_pos: '', last_error: '', ...over });

function node(name: string, over: Partial<DbNodeStatus> = {}): DbNodeStatus {
  const others = ['mysql1', 'mysql2', 'mysql3'].filter((n) => n !== name);
  return {
    type: 'db',
    name,
    address: '127.0.2.1',
    port: 3306,
    role: name === 'mysql1' ? 'active' : 'backup',
    status: 'UP',
    reason: null,
    agent: { answer: 'up', reason: '', writer: 'mysql1', read_only: name !== 'mysql1', age_s: 0 },
    read_only: name !== 'mysql1',
    process: 'running',
    check: 'L7OK',
    gtid_current_pos: '1-1-5',
    replication: others.map((o) => link(o)),
    replication_summary: 'Synced',
    pid: null,
    pgid: null,
    container: null,
    started_at: null,
    ...over,
  };
}

describe('planning a switchover', () => {
  it('moves the writer from the active master to the one asked for, keeping the others out of the pick meanwhile', () => {
    expect(planSwitchover('mysql2', cluster, [node('mysql1'), node('mysql2'), node('mysql3')])).toEqual([
      expect.objectContaining({ kind: 'move-writer', from: 'mysql1', to: 'mysql2', others: ['mysql1', 'mysql3'] }),
    ]);
  });

  it('has nothing to do for the active master itself', () => {
    expect(planSwitchover('mysql1', cluster, [node('mysql1'), node('mysql2'), node('mysql3')])).toEqual([]);
  });

  it('takes no writer to make read-only when the active one is down', () => {
    const plan = planSwitchover('mysql2', cluster, [node('mysql1', { status: 'DOWN', process: 'stopped' }), node('mysql2'), node('mysql3')]);
    expect(plan[0]).toMatchObject({ from: null, to: 'mysql2' });
  });

  it('is refused (exit 2) with failback: auto for any master but the first: it would take the writes back at once', () => {
    const auto = validCluster('cluster.yaml', 'name: shop\nweb: [web1]\ndb: [mysql1, mysql2]\ndatabase: {failback: auto}\n').cluster;
    const nodes = [node('mysql1', { role: 'backup' }), node('mysql2', { role: 'active' })];
    expect(() => planSwitchover('mysql2', auto, [node('mysql1'), node('mysql2')])).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/failback: auto/) }));
    expect(planSwitchover('mysql1', auto, nodes)[0]).toMatchObject({ from: 'mysql2', to: 'mysql1' });
  });

  it.each([
    ['a node it does not have', 'mysql9', {}, /no DB node named "mysql9"/],
    ['a node that is not running', 'mysql2', { process: 'stopped', status: 'STOPPED' }, /mysql2 is not running/],
    ['a node its agent drains (behind)', 'mysql2', { status: 'DRAIN (agent)', reason: 'DRAIN: 14 s behind mysql1' }, /cannot take writes now: DRAIN: 14 s behind mysql1/],
    ['a node lb-db has down', 'mysql2', { status: 'DOWN' }, /mysql2 is DOWN in lb-db/],
    ['a node that does not replicate from the writer', 'mysql2', { replication: [link('mysql1', { sql_running: 'No' }), link('mysql3')] }, /does not replicate from mysql1 now \(IO Yes, SQL No\)/],
  ])('is refused with exit 2: %s', (_, target, over, message) => {
    const nodes = [node('mysql1'), node('mysql2', over as Partial<DbNodeStatus>), node('mysql3')];
    expect(() => planSwitchover(target, cluster, nodes)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(message) }));
  });
});
