import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModeResult } from '../../src/drill/summary.js';
import { TestCluster, type CliResult } from '../support/cluster.js';

// hactl drill sessions on a live local cluster of its own (127.0.31.1, web 127.0.41.x, db 127.0.51.x).
const cluster = new TestCluster(31, { sessionMode: 'sticky' });
const yamlFile = join(cluster.dir, 'cluster.yaml');
let yamlBefore = '';
let run: CliResult;
let report: ModeResult[] = [];
const mode = (name: string) => report.find((r) => r.mode === name)!;

beforeAll(async () => {
  await cluster.startHealthy();
  yamlBefore = readFileSync(yamlFile, 'utf8');
  run = await cluster.hactl('drill', 'sessions', '--json', '--reads', '40', '--reads-after', '10');
  if (run.code === 0) report = JSON.parse(run.stdout) as ModeResult[];
}, 240_000);
afterAll(() => cluster.destroy(), 60_000);

describe('hactl drill sessions', () => {
  it('runs every mode in order and exits 0, one JSON object per mode', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(report.map((r) => r.mode)).toEqual(['none', 'sticky', 'db']);
    for (const r of report) {
      expect(r.requests, r.mode).toBe(1 + 40 + 10);
      // Killed is where the client was, and nothing answered from there afterwards.
      expect(['web1', 'web2'], r.mode).toContain(r.killed);
      expect(Object.keys(r.served_by_after_kill), r.mode).not.toContain(r.killed);
      // retries + redispatch in lb-web: a dead node costs no failed request.
      expect(r.failed, `${r.mode}: ${r.errors.join('; ')}`).toBe(0);
      expect(r.latency_ms.p50, r.mode).toBeGreaterThan(0);
      expect(r.latency_ms.p99!, r.mode).toBeGreaterThanOrEqual(r.latency_ms.p50!);
    }
  });

  it('none: round robin moves the client between nodes, and a switch loses the color (files on each node)', () => {
    const r = mode('none');
    expect(Object.keys(r.served_by).sort()).toEqual(['web1', 'web2']);
    expect(r.stayed_on_one_node).toBeLessThanOrEqual(0.6);
    expect(r.survived_switch.reads).toBeGreaterThan(0);
    expect(r.survived_switch).toMatchObject({ kept: 0, verdict: 'no' });
    // Each node refuses the other's session id (strict mode) and starts a new session.
    expect(r.session_ids).toBeGreaterThan(r.survived_switch.reads);
    expect(r.survived_death).toMatchObject({ reads: 10, kept: 0, verdict: 'no' });
    expect(r.db_writes).toBe(0);
    expect(r.db_replicated_transactions).toBe(0);
  });

  it('sticky: the client stays on one node until it dies, and the color dies with it', () => {
    const r = mode('sticky');
    expect(r.stayed_on_one_node).toBe(1);
    expect(r.served_by).toEqual({ [r.set_on]: 40 });
    expect(r.killed).toBe(r.set_on);
    expect(r.survived_switch.verdict).toBe('n/a');
    // One session until the kill, a new one on the node that took over.
    expect(r.session_ids).toBe(2);
    expect(r.survived_death).toMatchObject({ reads: 10, kept: 0, verdict: 'no' });
    expect(r.db_writes).toBe(0);
  });

  it('db: the color survives both a switch and the death, and every request writes to the DB', () => {
    const r = mode('db');
    expect(r.stayed_on_one_node).toBeLessThan(1);
    expect(r.survived_switch.reads).toBeGreaterThan(0);
    expect(r.survived_switch.verdict).toBe('yes');
    expect(r.survived_death).toMatchObject({ reads: 10, kept: 10, verdict: 'yes' });
    expect(r.session_ids).toBe(1);
    expect(r.db_writes_per_request).toBeGreaterThan(0);
    // The DB tier's own failover is hactl drill db's: no store node is killed here.
    expect([r.store_killed, r.survived_store_death.verdict, r.store_ops_per_request]).toEqual([null, 'n/a', null]);
    // At least the color itself went to the binary log, for the other master.
    expect(r.db_replicated_transactions).toBeGreaterThanOrEqual(1);
  });

  it('leaves the cluster healthy and cluster.yaml as it was', async () => {
    const status = await cluster.hactl('status');
    expect(status.code, status.stdout).toBe(0);
    expect(readFileSync(yamlFile, 'utf8')).toMatch(/^session_mode: sticky$/m);
    expect(readFileSync(yamlFile, 'utf8')).toBe(yamlBefore);
  });

  it('prints a table for people, and says the cluster is restored', async () => {
    const r = await cluster.hactl('drill', 'sessions', '--modes', 'db', '--reads', '5', '--reads-after', '2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/mode .*same node .*color after switch .*after web node death .*after store node death .*p50 ms .*p99 ms .*store ops\/req .*failed/);
    expect(r.stdout).toMatch(/│ db +│ \d+% +│ yes \(\d+\/\d+\) +│ yes \(2\/2\) +│ n\/a +│ [\d.]+ +│ [\d.]+ +│ [\d.]+ \(DB writes\) +│ 0\/8 +│/);
    expect(r.stdout).toContain('cluster restored: session mode sticky');
    expect((await cluster.hactl('status')).code).toBe(0);
  }, 60_000);

  it('refuses bad input before touching anything: exit 2', async () => {
    for (const args of [['--reads', '0'], ['--modes', 'none,files'], ['--modes', 'db,db']]) {
      const r = await cluster.hactl('drill', 'sessions', ...args);
      expect(r.code, args.join(' ')).toBe(2);
    }
    const single = new TestCluster(31, { web: ['web1'] });
    try {
      const r = await single.hactl('drill', 'sessions');
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('at least two');
    } finally {
      await single.destroy();
    }
    expect(readFileSync(yamlFile, 'utf8')).toBe(yamlBefore);
  });
});
