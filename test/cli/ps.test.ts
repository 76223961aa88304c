import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupAlive } from '../../src/drivers/local/supervisor.js';
import type { ClusterStatus } from '../../src/status/model.js';
import type { ProcessRow } from '../../src/status/processes.js';
import { eventually, MAIN, TestCluster } from '../support/cluster.js';

// A real local cluster: hactl ps names each node's process group, and the
// command it prints really takes the node down, as a crash would.
describe('hactl ps and the processes in status', () => {
  const cluster = new TestCluster(63);
  const ps = async () => JSON.parse((await cluster.hactl('ps', '--json')).stdout) as ProcessRow[];
  const status = async () => JSON.parse((await cluster.hactl('status', '--json')).stdout) as ClusterStatus;
  /** hactl as a 100-column terminal would get it, or a script that set COLUMNS. */
  const narrow = async (...args: string[]) => (await execa('node', [MAIN, ...args], { cwd: cluster.dir, reject: false, env: { NO_COLOR: '1', COLUMNS: '100' } })).stdout;

  beforeAll(() => cluster.startHealthy(), 180_000);
  afterAll(() => cluster.destroy(), 60_000);

  it("lists every process with its pid, its process group, its start and the command that kills it", async () => {
    const rows = await ps();
    expect(rows.map((r) => r.name)).toEqual(['mysql1', 'mysql2', 'web1', 'web2', 'lb-db', 'lb-web']);
    for (const r of rows) {
      expect(r).toMatchObject({ runtime: 'local', running: true, container: null });
      expect(r.pgid).toBe(r.pid);
      expect(groupAlive(r.pgid!)).toBe(true);
      expect(r.kill).toBe(`kill -9 -${r.pgid}`);
      expect(Date.parse(r.started_at!)).toBeGreaterThan(Date.now() - 600_000);
    }
    const table = (await cluster.hactl('ps')).stdout;
    const web1 = rows.find((r) => r.name === 'web1')!;
    expect(table).toContain('pid/pgid');
    expect(table).toMatch(new RegExp(`│ web1 +│ web +│ local +│ ${web1.pid}/${web1.pgid} +│ yes .*│ kill -9 -${web1.pgid} +│`));
  });

  it('gives the same pid and process group per node in status --json', async () => {
    const [rows, s] = [await ps(), await status()];
    for (const n of [...s.nodes, ...s.balancers]) {
      expect({ name: n.name, pid: n.pid, pgid: n.pgid, container: n.container }).toEqual({ name: n.name, ...pick(rows.find((r) => r.name === n.name)!) });
    }
  });

  it("takes the node down with ps's own command: status then says its process is gone", async () => {
    const web1 = (await ps()).find((r) => r.name === 'web1')!;
    const killed = await execa('sh', ['-c', web1.kill!], { reject: false });
    expect(killed.exitCode, killed.stderr).toBe(0);
    // The whole group: php -S's workers too, not only its parent.
    await eventually('web1 gone', async () => !groupAlive(web1.pgid!), 5_000);
    const node = (await status()).nodes.find((n) => n.name === 'web1')!;
    expect(node).toMatchObject({ process: 'stopped', pid: null, pgid: null });
    expect((await ps()).find((r) => r.name === 'web1')).toMatchObject({ running: false, pid: null, kill: null });
    const table = await narrow('status');
    const lines = table.split('\n');
    const row = lines.findIndex((l) => l.startsWith('│ web1 '));
    expect(lines.slice(row, row + 2).join('\n'), table).toContain('process stopped');
    expect((await cluster.hactl('up')).code).toBe(0);
    await eventually('web1 back', async () => (await ps()).find((r) => r.name === 'web1')?.running);
  });

  it("fits a 100-column terminal when replication breaks, MariaDB's whole error below the table and in --json", async () => {
    const [m1, m2] = [await cluster.root('mysql1'), await cluster.root('mysql2')];
    try {
      await m1.query('CREATE TABLE clash (id INT PRIMARY KEY)');
      await eventually('the table on mysql2', async () => ((await m2.query("SHOW TABLES LIKE 'clash'")) as [unknown[], unknown])[0].length > 0);
      // The same key written on both sides, mysql2's unlogged: mysql2's SQL thread stops on the copy from mysql1.
      await m2.query('SET sql_log_bin = 0');
      await m2.query('INSERT INTO clash VALUES (1)');
      await m1.query('INSERT INTO clash VALUES (1)');
    } finally {
      await Promise.all([m1.end(), m2.end()]);
    }
    const link = await eventually('broken replication', async () => {
      const n = (await status()).nodes.find((x) => x.name === 'mysql2');
      return n?.type === 'db' && n.replication_summary.startsWith('Broken') ? n.replication.find((l) => l.last_error !== '') : undefined;
    });
    expect(link!.last_error.length).toBeGreaterThan(100);
    const table = await narrow('status');
    const lines = table.split('\n');
    expect(Math.max(...lines.map((l) => [...l].length)), table).toBeLessThanOrEqual(100);
    expect(lines.find((l) => l.startsWith('│ mysql2 ')), table).toMatch(/Broken: .*…/);
    const detail = lines.findIndex((l) => l.startsWith('mysql2 replicating from mysql1: '));
    expect(detail, table).toBeGreaterThan(0);
    const words = [lines[detail]!, ...lines.slice(detail + 1).filter((l) => l.startsWith('  ')).map((l) => l.trim())].join(' ');
    expect(words.replace(/\s+/g, ' ')).toContain(link!.last_error.replace(/\s+/g, ' '));
  });

  it('--watch says when each reading was taken, with a mark that turns', async () => {
    const r = await execa('node', [MAIN, 'status', '--watch', '0.3'], { cwd: cluster.dir, reject: false, env: { NO_COLOR: '1' }, timeout: 4_000 });
    const headers = String(r.stdout).split('\n').filter((l) => /^\[.\] refresh \d+ at \d\d:\d\d:\d\d, every 0.3 s/.test(l));
    expect(headers.length, String(r.stdout)).toBeGreaterThanOrEqual(2);
    expect(headers[0]!.slice(0, 3)).not.toBe(headers[1]!.slice(0, 3));
  });
});

function pick(r: ProcessRow): { pid: number | null; pgid: number | null; container: string | null } {
  return { pid: r.pid, pgid: r.pgid, container: r.container };
}
