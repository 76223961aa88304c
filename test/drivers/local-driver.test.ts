import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupAlive } from '../../src/drivers/local/supervisor.js';
import { readState } from '../../src/drivers/local/state.js';
import { eventually, MAIN, TestCluster } from '../support/cluster.js';
import { execa } from 'execa';

// The local runtime for real: mariadbd, php -S and HAProxy processes on
// loopback addresses of this test's own (see TestCluster).
async function servedBy(url: string): Promise<string> {
  const res = await fetch(url);
  await res.text();
  return res.headers.get('x-served-by') ?? '';
}

describe('the local runtime', () => {
  const cluster = new TestCluster(9);
  const dir = cluster.dir;
  let first: { started: string[]; endpoints: { http: string; db: string } };

  beforeAll(async () => {
    const r = await cluster.hactl('up', '--json');
    expect(r.code, r.stderr).toBe(0);
    first = JSON.parse(r.stdout);
  }, 120_000);

  afterAll(() => cluster.destroy(), 60_000);

  it('starts every node and prints the endpoints', () => {
    expect(first.started).toEqual(['mysql1', 'mysql2', 'web1', 'web2', 'lb-db', 'lb-web']);
    expect(first.endpoints).toMatchObject({ http: 'http://127.0.9.1:18080/', db: '127.0.9.1:13307' });
  });

  it('balances requests without cookies round robin over web1 and web2', async () => {
    const seen = [];
    for (let i = 0; i < 6; i++) seen.push(await servedBy(first.endpoints.http + 'health'));
    expect(new Set(seen)).toEqual(new Set(['web1', 'web2']));
    for (let i = 1; i < seen.length; i++) expect(seen[i]).not.toBe(seen[i - 1]);
  });

  it('replicates a row written through lb-db to both masters, keys kept apart', async () => {
    const app = await cluster.app();
    await app.query('CREATE TABLE IF NOT EXISTS itest (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20))');
    await app.query("INSERT INTO itest (v) VALUES ('through-lb-db')");
    await app.end();
    for (const n of ['mysql1', 'mysql2']) {
      const root = await cluster.root(n);
      let rows: unknown[] = [];
      for (let i = 0; i < 50 && rows.length === 0; i++) {
        [rows] = (await root.query("SELECT id FROM itest WHERE v = 'through-lb-db'")) as [unknown[], unknown];
        if (rows.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(rows, n).toEqual([{ id: 1 }]);
      const [[status]] = (await root.query('SHOW ALL SLAVES STATUS')) as [{ Connection_name: string; Slave_IO_Running: string; Slave_SQL_Running: string }[], unknown];
      expect(status).toMatchObject({ Connection_name: n === 'mysql1' ? 'mysql2' : 'mysql1', Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes' });
      await root.end();
    }
  });

  it('bootstraps the app database and the session table on every master', async () => {
    for (const n of ['mysql1', 'mysql2']) {
      const root = await cluster.root(n);
      const [tables] = (await root.query("SHOW TABLES LIKE 'hactl_sessions'")) as [unknown[], unknown];
      const [users] = (await root.query("SELECT CONCAT(user, '@', host) AS u FROM mysql.user WHERE user LIKE 'hactl%' ORDER BY u")) as [{ u: string }[], unknown];
      await root.end();
      expect(tables, n).toHaveLength(1);
      expect(users.map((r) => r.u), n).toEqual(['hactl_app@%', 'hactl_check@127.0.0.1', 'hactl_repl@%']);
    }
  });

  it('is idempotent: a second up starts nothing', async () => {
    const r = await cluster.hactl('up', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ started: [], reloaded: [] });
    expect((await cluster.hactl('up')).stdout).toMatch(/up to date/);
  });

  it('status: every node UP and Synced, exit 0, one JSON document', async () => {
    let r = await cluster.hactl('status', '--json');
    // Checks need a moment after a start to pass rise 2.
    for (let i = 0; i < 20 && r.code !== 0; i++) {
      await new Promise((res) => setTimeout(res, 250));
      r = await cluster.hactl('status', '--json');
    }
    expect(r.code, r.stdout).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.endpoints).toEqual({ http: 'http://127.0.9.1:18080/', stats: 'http://127.0.9.1:18404/', db: '127.0.9.1:13307' });
    expect(s.nodes.map((n: { type: string; name: string; status: string }) => `${n.type} ${n.name} ${n.status}`)).toEqual([
      'web web1 UP', 'web web2 UP', 'db mysql1 UP', 'db mysql2 UP',
    ]);
    expect(s.nodes[0]).toMatchObject({ address: '127.0.19.1', port: 8000, check: expect.stringMatching(/^L7OK 200 in \d+ ms$/) });
    expect(s.nodes[2]).toMatchObject({ role: 'active', replication_summary: 'Synced', replication: [{ from: 'mysql2', io_running: 'Yes', sql_running: 'Yes' }] });
    expect(s.nodes[3]).toMatchObject({ role: 'backup', replication_summary: 'Synced' });
    const table = await cluster.hactl('status');
    expect(table.stdout).toMatch(/web1 .*127\.0\.19\.1:8000 .*UP .*L7OK 200/);
  });

  it('status: a killed web node is DOWN within a second and the cluster degraded (exit 3)', async () => {
    const before = readState(join(dir, '.hactl'));
    const t0 = Date.now();
    process.kill(-before.web1!.pid, 'SIGKILL');
    let r = await cluster.hactl('status', '--json');
    while (JSON.parse(r.stdout).nodes[0].status !== 'DOWN' && Date.now() - t0 < 5000) r = await cluster.hactl('status', '--json');
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ health: 'degraded', nodes: [{ name: 'web1', status: 'DOWN', process: 'stopped' }, { name: 'web2', status: 'UP' }, {}, {}] });
    // Meanwhile the site answers, from web2.
    expect(await servedBy(first.endpoints.http)).toBe('web2');
  });

  it('after a node died, up restarts that node only', async () => {
    const before = readState(join(dir, '.hactl'));
    const r = await cluster.hactl('up', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).started).toEqual(['web1']);
    const after = readState(join(dir, '.hactl'));
    expect(after.web2!.pid).toBe(before.web2!.pid);
    expect(after.mysql1!.pid).toBe(before.mysql1!.pid);
  });

  it('restart NODE restarts that one; logs NODE shows its log; unknown names exit 2', async () => {
    const before = readState(join(dir, '.hactl'));
    const r = await cluster.hactl('restart', 'web2', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).started).toEqual(['web2']);
    const after = readState(join(dir, '.hactl'));
    expect(after.web2!.pid).not.toBe(before.web2!.pid);
    expect(after.web1!.pid).toBe(before.web1!.pid);
    const log = await cluster.hactl('logs', 'mysql1', '-n', '5');
    expect(log.code).toBe(0);
    expect(log.stdout.trimEnd().split('\n')).toHaveLength(5);
    expect((await cluster.hactl('logs', 'lb-web', '-n', '200')).stdout).toMatch(/Loading success|New worker/);
    // -f follows: a restart's new lines arrive while it runs.
    const follow = execa('node', [MAIN, 'logs', 'lb-web', '-f', '-n', '0'], { cwd: cluster.dir, reject: false });
    await new Promise((r) => setTimeout(r, 500));
    expect((await cluster.hactl('restart', 'lb-web')).code).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    follow.kill('SIGINT');
    expect(String((await follow).stdout)).toMatch(/Loading success|New worker/);
    expect((await cluster.hactl('restart', 'web9')).code).toBe(2);
    expect((await cluster.hactl('logs', 'web9')).stderr).toMatch(/no node named "web9"; this cluster has mysql1, mysql2, web1, web2, lb-db, lb-web/);
  });

  it('runs one command at a time: a second one waits, then names the holder', async () => {
    const lock = join(dir, '.hactl', 'lock');
    writeFileSync(lock, JSON.stringify({ pid: process.pid, what: 'a test holding the lock' }));
    try {
      const t0 = Date.now();
      const r = await cluster.hactl('up');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`another hactl command is running on this cluster \\(pid ${process.pid}: a test holding the lock\\)`));
      expect(Date.now() - t0).toBeGreaterThanOrEqual(4500);
    } finally {
      rmSync(lock, { force: true });
    }
    // A lock left by a process that died is taken over.
    writeFileSync(lock, JSON.stringify({ pid: 999_999_999, what: 'up' }));
    expect((await cluster.hactl('up')).code).toBe(0);
    expect(existsSync(lock)).toBe(false);
  }, 30_000);

  it('down stops every process of the cluster and keeps the data', async () => {
    const state = readState(join(dir, '.hactl'));
    const r = await cluster.hactl('down');
    expect(r.code, r.stderr).toBe(0);
    for (const [name, rec] of Object.entries(state)) expect(groupAlive(rec.pid), name).toBe(false);
    const again = await cluster.hactl('up', '--json');
    expect(again.code, again.stderr).toBe(0);
    const root = await cluster.root('mysql2');
    const [rows] = await root.query('SELECT v FROM itest');
    await root.end();
    expect(rows).toEqual([{ v: 'through-lb-db' }]);
  }, 60_000);
});

describe('the local runtime with a port already taken', () => {
  let blocker: Server;
  const cluster = new TestCluster(8);

  beforeAll(async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker.listen(8000, '127.0.18.2', r));
  });
  afterAll(async () => {
    blocker.close();
    await cluster.destroy();
  });

  it('names the address, port and holder, refuses the plan with exit 2 before anything runs, and writes no config', async () => {
    const r = await cluster.hactl('up');
    expect(r.code).toBe(2);
    expect(existsSync(join(cluster.dir, '.hactl/config'))).toBe(false);
    expect(existsSync(join(cluster.dir, '.hactl/runtime.json'))).toBe(false);
    expect(r.stderr).toMatch(new RegExp(`127\\.0\\.18\\.2:8000 is already in use, so web2 cannot start \\(held by pid ${process.pid}: `));
    expect(readState(join(cluster.dir, '.hactl'))).toEqual({});
    expect(r.stderr).not.toMatch(/starting/);
  }, 60_000);
});

describe('the local runtime after Ctrl-C during up', () => {
  const cluster = new TestCluster(4);
  afterAll(() => cluster.destroy(), 60_000);

  it.each([300, 900, 1500])('converges on the next up (interrupted after %i ms)', async (ms) => {
    await cluster.hactl('down', '--purge');
    const child = execa('node', [MAIN, 'up'], { cwd: cluster.dir, reject: false });
    await new Promise((r) => setTimeout(r, ms));
    child.kill('SIGINT');
    await child;
    const r = await cluster.hactl('up', '--json');
    expect(r.code, r.stderr).toBe(0);
    await eventually('a healthy cluster', async () => (await cluster.hactl('status')).code === 0, 15_000);
  }, 60_000);
});
