import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbDrillReport } from '../../src/ops/drill-db.js';
import { TestCluster } from '../support/cluster.js';

// hactl drill db on a live local cluster of its own (127.0.44.1, web 127.0.54.x, db 127.0.64.x).
const cluster = new TestCluster(44, { sessionMode: 'db' });
const yamlFile = join(cluster.dir, 'cluster.yaml');

async function drill(...args: string[]): Promise<DbDrillReport> {
  const r = await cluster.hactl('drill', 'db', '--json', ...args);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as DbDrillReport;
}

async function dbRoles(): Promise<[string, string, boolean | null][]> {
  const nodes = JSON.parse((await cluster.hactl('status', '--json')).stdout).nodes as { type: string; name: string; role: string; read_only: boolean | null }[];
  return nodes.filter((n) => n.type === 'db').map((n) => [n.name, n.role, n.read_only]);
}

beforeAll(() => cluster.startHealthy(), 120_000);
afterAll(() => cluster.destroy(), 60_000);

describe('hactl drill db', () => {
  it('failback manual: kill -9 of the writer under writes, at most 2 s without a write, none lost, one writer at a time, the old master caught up, a switchover back; every master identical', async () => {
    const r = await drill();
    expect(r).toMatchObject({ failback: 'manual', killed: 'mysql1', took_over: 'mysql2', lost_writes: 0, two_masters_at_once: false, writes_before_caught_up: 0, identical: true });
    expect(r.write_outage_ms).toBeLessThanOrEqual(2000);
    expect(r.acknowledged_writes).toBeGreaterThan(100);
    expect(r.writers).toEqual(['mysql1', 'mysql2', 'mysql1']);
    expect(r.catch_up_ms).not.toBeNull();
    expect(r.switchover).toMatchObject({ to: 'mysql1', lost_writes: 0 });
    expect(r.switchover!.pause_ms).toBeLessThanOrEqual(1000);
    // Both masters compared, and the app's tables with them.
    expect(Object.keys(r.checksums).sort()).toEqual(['mysql1', 'mysql2']);
    expect(Object.keys(r.checksums.mysql1!)).toContain('hactl_sessions');
    // Restored: every node up, mysql1 the writer again.
    expect(await dbRoles()).toEqual([['mysql1', 'active', false], ['mysql2', 'backup', true]]);
    expect(Object.keys(r.checksums.mysql1!)).toContain('hactl_drill');
    expect((await cluster.hactl('status')).code).toBe(0);
  }, 180_000);

  it('failback auto with the old master held behind 3 s: it takes no write before it has caught up, then takes the writes back itself', async () => {
    appendFileSync(yamlFile, 'database:\n  failback: auto\n');
    expect((await cluster.hactl('up')).code).toBe(0);
    expect(readFileSync(join(cluster.dir, '.hactl/config/mysql1/agent.env'), 'utf8')).toMatch(/^FAILBACK=auto$/m);
    const r = await drill('--hold-behind', '3000');
    expect(r).toMatchObject({ failback: 'auto', killed: 'mysql1', lost_writes: 0, two_masters_at_once: false, writes_before_caught_up: 0, identical: true, switchover: null });
    expect(r.catch_up_ms!).toBeGreaterThanOrEqual(3000);
    expect(r.writers).toEqual(['mysql1', 'mysql2', 'mysql1']);
    expect(await dbRoles()).toEqual([['mysql1', 'active', false], ['mysql2', 'backup', true]]);
  }, 180_000);

  it('needs a second master, and says so (exit 2)', async () => {
    const solo = new TestCluster(45, { sessionMode: 'db', db: ['mysql1'] });
    try {
      const r = await solo.hactl('drill', 'db');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/needs a second one to take over; cluster.yaml has 1/);
    } finally {
      await solo.destroy();
    }
  });
});
