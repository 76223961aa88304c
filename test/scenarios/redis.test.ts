import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, TestCluster } from '../support/cluster.js';
import { CookieJar, request } from '../support/http.js';
import { startLoad } from '../support/load.js';
import { sessionWriter } from '../support/session-writer.js';

// session_mode: redis on the local runtime: entry points 127.0.6.1, web nodes 127.0.16.n,
// DB node 127.0.26.n, Redis nodes 127.0.126.n, Sentinels 127.0.136.n (their own
// addresses). Real redis-server, redis-sentinel and php-redis from Debian.
const cluster = new TestCluster(6, { sessionMode: 'none', db: ['mysql1'] });
const yamlFile = join(cluster.dir, 'cluster.yaml');
const stateDir = join(cluster.dir, '.hactl');

interface ApiSession {
  node: string;
  session_id: string;
  mode: string;
  color: string | null;
  counter: number;
}
interface Store {
  name: string;
  store: string;
  status: string;
  role?: string | null;
}
const api = async (path: string, jar: CookieJar, method = 'GET', form?: Record<string, string>) => {
  const r = await request(`${cluster.url}${path}`, { jar, method, ...(form ? { form } : {}) });
  expect(r.status, r.body).toBe(200);
  return r.json<ApiSession>();
};
const status = async () => JSON.parse((await cluster.hactl('status', '--json')).stdout) as { health: string; health_reasons: string[]; stores: Store[] };
const roles = async () => Object.fromEntries((await status()).stores.filter((s) => s.store === 'redis').map((s) => [s.name, s.role]));
const primary = async () => Object.entries(await roles()).find(([, role]) => role === 'primary')?.[0];
const log = (name: string) => readFileSync(join(stateDir, 'log', `${name}.log`), 'utf8');

beforeAll(async () => {
  const text = readFileSync(yamlFile, 'utf8').replace('  db: {host: "127.0.26.{n}"}\n', '  db: {host: "127.0.26.{n}"}\n  redis: {host: "127.0.126.{n}"}\n  sentinel: {host: "127.0.136.{n}"}\n');
  writeFileSync(yamlFile, `${text}redis: [redis1, redis2]\n`);
  await cluster.startHealthy();
}, 180_000);

afterAll(() => cluster.destroy(), 60_000);

describe('redis sessions', () => {
  it('runs a primary, a replica and three Sentinels, each a process on its own address; the password is a secret', async () => {
    const rows = JSON.parse((await cluster.hactl('ps', '--json')).stdout) as { name: string; kind: string; running: boolean }[];
    expect(rows.filter((r) => r.kind === 'store').map((r) => [r.name, r.running])).toEqual([
      ['redis1', true],
      ['redis2', true],
      ['sentinel1', true],
      ['sentinel2', true],
      ['sentinel3', true],
    ]);
    expect(await roles()).toEqual({ redis1: 'primary', redis2: 'replica' });
    expect((await status()).health).toBe('healthy');
    const secrets = JSON.parse(readFileSync(join(stateDir, 'secrets.json'), 'utf8')) as Record<string, string>;
    expect(secrets.redis_password).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(statSync(join(stateDir, 'config', 'lb-db', 'haproxy.cfg')).mode & 0o777).toBe(0o600);
    expect(statSync(join(stateDir, 'config', 'redis1', 'redis.conf')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(stateDir, 'config', 'lb-db', 'haproxy.cfg'), 'utf8')).toContain(`AUTH\\ ${secrets.redis_password}`);
    for (const out of [(await cluster.hactl('config')).stdout, (await cluster.hactl('status')).stdout]) expect(out).not.toContain(secrets.redis_password);
    expect(log('redis2')).toContain('hactl: starting as replica of 127.0.126.1 6379');
  });

  it('hactl test asks a Redis node and a Sentinel their role with the password; hactl logs shows their log', async () => {
    const probe = await cluster.hactl('test', 'redis1', '--json');
    expect(probe.code, probe.stderr).toBe(0);
    expect(JSON.parse(probe.stdout)).toMatchObject({ node: 'redis1', ok: true, target: 'redis 127.0.126.1:6379', detail: "answers with the cluster's password, role primary" });
    expect(JSON.parse((await cluster.hactl('test', 'sentinel2', '--json')).stdout)).toMatchObject({ ok: true, detail: expect.stringMatching(/role sentinel$/) });
    expect((await cluster.hactl('logs', 'sentinel1', '-n', '50')).stdout).toMatch(/\+monitor master hactl 127\.0\.126\.1 6379 quorum 2/);
  });

  it('switches live from none to redis under steady traffic: no failed request, no web node restarted', async () => {
    const load = startLoad(cluster.url, { keepAlive: 2, fresh: 2 });
    await new Promise((r) => setTimeout(r, 300));
    const r = await cluster.hactl('session-mode', 'redis', '--json');
    await new Promise((r) => setTimeout(r, 500));
    const { requests, failures } = await load.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(50);
    expect(JSON.parse(r.stdout)).toMatchObject({ mode: 'redis', previous: 'none', started: [] });
  }, 60_000);

  it('one session on every web node (round robin), through lb-db to the primary', async () => {
    const jar = new CookieJar();
    await api('/api/session', jar, 'POST', { color: 'teal' });
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const s = await api('/api/session', jar);
      seen.add(s.node);
      expect([s.color, s.mode]).toEqual(['teal', 'redis']);
    }
    expect(seen).toEqual(new Set(['web1', 'web2']));
  });

  it('loses no update with 20 parallel requests on one session, spread over both web nodes (its lock in Redis)', async () => {
    const jar = new CookieJar();
    const { session_id: id } = await api('/api/session', jar);
    const answers = await Promise.all(Array.from({ length: 20 }, () => api('/api/session/counter', jar, 'POST')));
    expect(answers.map((a) => a.counter).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(answers.map((a) => a.session_id))).toEqual(new Set([id]));
    expect(new Set(answers.map((a) => a.node))).toEqual(new Set(['web1', 'web2']));
  }, 60_000);

  it('kill -9 of the primary under session writes: served again within 5 s, no request failed, no session lost; up brings it back as a replica', async () => {
    const jars = Array.from({ length: 10 }, () => new CookieJar());
    for (const [i, jar] of jars.entries()) await api('/api/session', jar, 'POST', { color: i % 2 ? 'plum' : 'olive' });
    const writer = sessionWriter(cluster.url);
    await new Promise((r) => setTimeout(r, 500));
    await cluster.kill('redis1');
    await eventually('redis2 promoted', async () => (await primary()) === 'redis2', 10_000);
    await new Promise((r) => setTimeout(r, 500));
    const { failures, longestGapMs, lost, counters } = await writer.stop();
    expect(failures).toEqual([]);
    expect(lost).toBe(0);
    expect(counters.length).toBeGreaterThan(10);
    expect(longestGapMs).toBeLessThan(5000);
    for (const [i, jar] of jars.entries()) expect((await api('/api/session', jar)).color).toBe(i % 2 ? 'plum' : 'olive');
    const s = await status();
    expect(s.health).toBe('degraded');
    expect(s.health_reasons).toContain('redis1 (redis) is STOPPED');
    const up = await cluster.hactl('up');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/started redis1/);
    expect(log('redis1')).toContain('hactl: starting as replica of 127.0.126.2 6379');
    await eventually('redis1 a replica', async () => JSON.stringify(await roles()) === JSON.stringify({ redis1: 'replica', redis2: 'primary' }), 10_000);
    for (const [i, jar] of jars.entries()) expect((await api('/api/session', jar)).color).toBe(i % 2 ? 'plum' : 'olive');
  }, 90_000);

  it('a primary killed and started again before the Sentinels noticed waits for the failover and joins as a replica: never two primaries', async () => {
    const jar = new CookieJar();
    await api('/api/session', jar, 'POST', { color: 'gold' });
    // Sentinels start no failover within twice failover-timeout (2 × 2 s) of the last one (the kill above).
    await new Promise((r) => setTimeout(r, 4000));
    await cluster.kill('redis2');
    // At once: the Sentinels still name redis2, which starts empty (sessions are not persisted).
    const up = await cluster.hactl('up');
    expect(up.code, up.stderr).toBe(0);
    expect(log('redis2')).toContain('hactl: starting as replica of 127.0.126.1 6379');
    expect(await roles()).toEqual({ redis1: 'primary', redis2: 'replica' });
    expect((await api('/api/session', jar)).color, `${log('redis1')}\n${log('redis2')}\n${log('sentinel1')}`).toBe('gold');
  }, 90_000);

  it('add redis redis3, then remove redis of the primary under session writes: no failed request, no write lost', async () => {
    const writer = sessionWriter(cluster.url);
    const added = await cluster.hactl('add', 'redis', 'redis3', '--json');
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ node: { name: 'redis3', host: '127.0.126.3', port: 6379 }, started: ['redis3'] });
    await eventually('redis3 a replica', async () => (await roles()).redis3 === 'replica', 10_000);
    const was = (await primary())!;
    const removed = await cluster.hactl('remove', 'redis', was, '--json');
    expect(removed.code, removed.stderr).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    const { failures, lost, counters, drops } = await writer.stop();
    expect(failures).toEqual([]);
    expect(lost, `${drops.join('; ')}\n${removed.stderr}\n${log(was)}\n${log('sentinel1').split('\n').slice(-25).join('\n')}`).toBe(0);
    expect(counters.length).toBeGreaterThan(10);
    expect(Object.keys(await roles())).not.toContain(was);
    expect(Object.values(await roles()).sort()).toEqual(['primary', 'replica']);
    expect(readFileSync(yamlFile, 'utf8')).toMatch(/^redis: \[.*redis3\]$/m);
    expect((JSON.parse((await cluster.hactl('ps', '--json')).stdout) as { name: string }[]).map((r) => r.name)).not.toContain(was);
    // The Sentinels forgot it: none lists it among the replicas once they learnt the others again.
    const clean = await cluster.hactl('clean', '--json');
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain(was);
  }, 120_000);

  it('drill sessions: the color survives the web node\'s death and the primary\'s; what a request costs Redis', async () => {
    // Sentinels start no failover within twice failover-timeout (2 × 2 s) of the last one: remove redis made one.
    await new Promise((r) => setTimeout(r, 4000));
    const was = await primary();
    const r = await cluster.hactl('drill', 'sessions', '--modes', 'redis', '--reads', '10', '--reads-after', '3', '--json');
    expect(r.code, r.stderr).toBe(0);
    const [row] = JSON.parse(r.stdout) as { store_killed: string; survived_store_death: { verdict: string; reads: number }; survived_death: { verdict: string }; store_ops_per_request: number; failed: number; errors: string[] }[];
    expect(row!.failed, `${row!.errors.join('; ')}\n${log('sentinel1').split('\n').slice(-30).join('\n')}`).toBe(0);
    expect(row).toMatchObject({ store_killed: was, survived_death: { verdict: 'yes' }, survived_store_death: { reads: 3, verdict: 'yes' } });
    // GET, SETEX, the lock's SET NX and its release, EXISTS for strict mode: a handful per request, not none.
    expect(row!.store_ops_per_request).toBeGreaterThan(2);
    expect(row!.store_ops_per_request).toBeLessThan(12);
    expect((await status()).health).toBe('healthy');
  }, 120_000);

  it('refuses fewer than three Sentinels for two Redis nodes, naming the line; nothing changes', async () => {
    const before = readFileSync(yamlFile, 'utf8');
    writeFileSync(yamlFile, `${before}sentinel: [sentinel1, sentinel2]\n`);
    let r;
    try {
      r = await cluster.hactl('up');
    } finally {
      writeFileSync(yamlFile, before);
    }
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cluster\.yaml:\d+:\d+ sentinel: 2 Sentinels for 2 Redis nodes/);
    const sentinels = (JSON.parse((await cluster.hactl('ps', '--json')).stdout) as { name: string; running: boolean }[]).filter((p) => p.name.startsWith('sentinel'));
    expect(sentinels.map((p) => [p.name, p.running])).toEqual([1, 2, 3].map((n) => [`sentinel${n}`, true]));
  });
});
