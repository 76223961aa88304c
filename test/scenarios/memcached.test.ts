import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, TestCluster } from '../support/cluster.js';
import { CookieJar, request } from '../support/http.js';
import { startLoad } from '../support/load.js';

// session_mode: memcached on the local runtime: entry points 127.0.200.1, web nodes
// 127.0.210.n, DB nodes 127.0.220.n, memcached nodes 127.0.230.n (their own addresses,
// the only place they listen). Real memcached and php-memcached from Debian.
const cluster = new TestCluster(200, { sessionMode: 'none' });
const yamlFile = join(cluster.dir, 'cluster.yaml');

interface ApiSession {
  node: string;
  session_id: string;
  handler: string;
  mode: string;
  color: string | null;
  counter: number;
}
const api = async (path: string, jar: CookieJar, method = 'GET', form?: Record<string, string>) => {
  const r = await request(`${cluster.url}${path}`, { jar, method, ...(form ? { form } : {}) });
  expect(r.status, r.body).toBe(200);
  return r.json<ApiSession>();
};

beforeAll(async () => {
  const text = readFileSync(yamlFile, 'utf8').replace('  db: {host: "127.0.220.{n}"}\n', '  db: {host: "127.0.220.{n}"}\n  memcached: {host: "127.0.230.{n}"}\n');
  writeFileSync(yamlFile, `${text}memcached: [mc1, mc2]\n`);
  await cluster.startHealthy();
}, 180_000);

afterAll(() => cluster.destroy(), 60_000);

describe('memcached sessions', () => {
  it('runs each memcached node as a process of its own, on its own address only', async () => {
    const ps = (await cluster.hactl('ps', '--json')).stdout;
    const rows = JSON.parse(ps) as { name: string; kind: string; running: boolean }[];
    expect(rows.filter((r) => r.kind === 'store').map((r) => [r.name, r.running])).toEqual([
      ['mc1', true],
      ['mc2', true],
    ]);
  });

  it('hactl test asks a memcached node directly; hactl logs shows its log', async () => {
    const probe = await cluster.hactl('test', 'mc2', '--json');
    expect(probe.code, probe.stderr).toBe(0);
    expect(JSON.parse(probe.stdout)).toMatchObject({ node: 'mc2', ok: true, target: 'memcached 127.0.230.2:11211', detail: expect.stringMatching(/^VERSION 1\.\d+\.\d+ answers$/) });
    expect((await cluster.hactl('logs', 'mc1', '-n', '5')).code).toBe(0);
  });

  it('switches live from none to memcached under steady traffic: no failed request, no web node restarted', async () => {
    const load = startLoad(cluster.url, { keepAlive: 2, fresh: 2 });
    await new Promise((r) => setTimeout(r, 300));
    const r = await cluster.hactl('session-mode', 'memcached', '--json');
    await new Promise((r) => setTimeout(r, 500));
    const { requests, failures } = await load.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(50);
    expect(JSON.parse(r.stdout)).toMatchObject({ mode: 'memcached', previous: 'none', started: [] });
  }, 60_000);

  it('one session on every web node (round robin), kept on both memcached nodes', async () => {
    const jar = new CookieJar();
    await api('/api/session', jar, 'POST', { color: 'teal' });
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const s = await api('/api/session', jar);
      seen.add(s.node);
      expect([s.color, s.mode]).toEqual(['teal', 'memcached']);
    }
    expect(seen).toEqual(new Set(['web1', 'web2']));
  });

  it('loses no update with 20 parallel requests on one session, spread over both web nodes (its lock in memcached)', async () => {
    const jar = new CookieJar();
    const { session_id: id } = await api('/api/session', jar);
    const answers = await Promise.all(Array.from({ length: 20 }, () => api('/api/session/counter', jar, 'POST')));
    expect(answers.map((a) => a.counter).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(answers.map((a) => a.session_id))).toEqual(new Set([id]));
    expect(new Set(answers.map((a) => a.node))).toEqual(new Set(['web1', 'web2']));
  }, 60_000);

  it('kill -9 of one memcached node loses no session; up starts it again', async () => {
    const jars = Array.from({ length: 10 }, () => new CookieJar());
    for (const [i, jar] of jars.entries()) await api('/api/session', jar, 'POST', { color: i % 2 ? 'plum' : 'olive' });
    await cluster.kill('mc1');
    for (const [i, jar] of jars.entries()) expect((await api('/api/session', jar)).color).toBe(i % 2 ? 'plum' : 'olive');
    // Status says so: degraded, not down (every session has its copy on mc2).
    const status = JSON.parse((await cluster.hactl('status', '--json')).stdout);
    expect(status.stores.map((n: { name: string; status: string }) => [n.name, n.status])).toEqual([
      ['mc1', 'STOPPED'],
      ['mc2', 'UP'],
    ]);
    expect(status.health).toBe('degraded');
    expect(status.health_reasons).toContain('mc1 (memcached) is STOPPED: the sessions are on the others too');
    expect((await cluster.hactl('status')).stdout).toMatch(/mc2 \(memcached\) .* 127\.0\.230\.2:11211 .* UP/);
    const up = await cluster.hactl('up');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/started mc1/);
    await eventually('mc1 running', async () => (JSON.parse((await cluster.hactl('ps', '--json')).stdout) as { name: string; running: boolean }[]).find((r) => r.name === 'mc1')?.running);
    for (const [i, jar] of jars.entries()) expect((await api('/api/session', jar)).color).toBe(i % 2 ? 'plum' : 'olive');
  }, 60_000);

  it('add memcached mc3, then remove memcached mc1, under session traffic: no failed request, no session lost', async () => {
    const jars = Array.from({ length: 12 }, () => new CookieJar());
    for (const [i, jar] of jars.entries()) await api('/api/session', jar, 'POST', { color: i % 2 ? 'coral' : 'navy' });
    const load = startLoad(cluster.url, { keepAlive: 2, fresh: 2 });
    const added = await cluster.hactl('add', 'memcached', 'mc3', '--json');
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ node: { name: 'mc3', host: '127.0.230.3', port: 11211 }, started: ['mc3'] });
    for (const [i, jar] of jars.entries()) expect((await api('/api/session', jar)).color).toBe(i % 2 ? 'coral' : 'navy');
    const removed = await cluster.hactl('remove', 'memcached', 'mc1', '--json');
    expect(removed.code, removed.stderr).toBe(0);
    for (const [i, jar] of jars.entries()) expect((await api('/api/session', jar)).color).toBe(i % 2 ? 'coral' : 'navy');
    const { requests, failures } = await load.stop();
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(20);
    expect(readFileSync(yamlFile, 'utf8')).toMatch(/^memcached: \[mc2, mc3\]$/m);
    expect((JSON.parse((await cluster.hactl('ps', '--json')).stdout) as { name: string }[]).map((r) => r.name)).not.toContain('mc1');
  }, 90_000);

  it('drill sessions: the color survives the web node\'s death and a memcached node\'s; what a request costs memcached', async () => {
    const r = await cluster.hactl('drill', 'sessions', '--modes', 'memcached', '--reads', '10', '--reads-after', '3', '--json');
    expect(r.code, r.stderr).toBe(0);
    const [row] = JSON.parse(r.stdout) as { store_killed: string; survived_store_death: { verdict: string; reads: number }; survived_death: { verdict: string }; store_ops_per_request: number; failed: number; errors: string[] }[];
    expect(row!.failed, row!.errors.join('; ')).toBe(0);
    expect(row).toMatchObject({ store_killed: 'mc2', survived_death: { verdict: 'yes' }, survived_store_death: { reads: 3, verdict: 'yes' } });
    expect(row!.store_ops_per_request).toBeGreaterThan(2);
  }, 120_000);

  it('refuses memcached sessions without memcached nodes, and back to none works', async () => {
    const back = await cluster.hactl('session-mode', 'none');
    expect(back.code, back.stderr).toBe(0);
    const list = /^memcached: .*\n/m.exec(readFileSync(yamlFile, 'utf8'))![0];
    writeFileSync(yamlFile, readFileSync(yamlFile, 'utf8').replace(list, ''));
    try {
      const r = await cluster.hactl('session-mode', 'memcached');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/session_mode: memcached sessions need memcached nodes, and memcached: lists none/);
    } finally {
      writeFileSync(yamlFile, `${readFileSync(yamlFile, 'utf8')}${list}`);
    }
  });
});
