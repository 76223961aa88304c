import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagerClient } from '../../src/apache/manager-client.js';
import { readState } from '../../src/drivers/local/state.js';
import type { ServerAction } from '../../src/plan/action.js';
import type { ClusterStatus, WebNodeStatus } from '../../src/status/model.js';
import { CookieJar, request } from '../support/http.js';
import { startLoad } from '../support/load.js';
import { eventually, TestCluster } from '../support/cluster.js';
import { startDashboard } from '../support/dashboard.js';

// The web tier's live operations with lb-web on Apache, on a running local cluster
// (addresses 127.0.42.1, 127.0.52.x, 127.0.62.x only), each under steady traffic:
// what live-web.test.ts proves of HAProxy, read through hactl status and balancer-manager.
const cluster = new TestCluster(42, { sessionMode: 'sticky', engine: 'apache' });
const yaml = () => readFileSync(join(cluster.dir, 'cluster.yaml'), 'utf8');
const httpdConf = () => readFileSync(join(cluster.dir, '.hactl/config/lb-web/httpd.conf'), 'utf8');
const lbWebPid = () => readState(join(cluster.dir, '.hactl'))['lb-web']?.pid;
const manager = () => new ManagerClient(`${cluster.listen}:18404`, 'admin', cluster.secrets().stats_password!);

async function web(): Promise<Map<string, WebNodeStatus>> {
  const r = await cluster.hactl('status', '--json');
  const s = JSON.parse(r.stdout) as ClusterStatus;
  return new Map(s.nodes.filter((n): n is WebNodeStatus => n.type === 'web').map((n) => [n.name, n]));
}

async function under<T>(op: () => Promise<T>): Promise<{ value: T; requests: number; failures: string[] }> {
  const load = startLoad(cluster.url, { keepAlive: 3, fresh: 3 });
  await new Promise((r) => setTimeout(r, 300));
  const value = await op();
  await new Promise((r) => setTimeout(r, 500));
  return { value, ...(await load.stop()) };
}

beforeAll(() => cluster.startHealthy(), 120_000);
afterAll(() => cluster.destroy(), 60_000);

describe('lb-web on Apache', () => {
  it('runs as a private Apache that status names, with balancer-manager behind the stats login only', async () => {
    const s = JSON.parse((await cluster.hactl('status', '--json')).stdout) as ClusterStatus;
    expect(s.engine).toBe('apache');
    expect([...(await web()).values()].map((n) => [n.name, n.status, n.flags])).toEqual([
      ['web1', 'UP', 'Init Ok'],
      ['web2', 'UP', 'Init Ok'],
    ]);
    expect((await request(`http://${cluster.listen}:18404/balancer-manager`)).status).toBe(401);
    expect((await request(`http://${cluster.listen}:18404/balancer-manager`, { headers: { authorization: `Basic ${Buffer.from('admin:wrong').toString('base64')}` } })).status).toBe(401);
    expect((await manager().balancer()).members.map((m) => m.route)).toEqual(['S1', 'S2']);
    // Not on the site's port: there the app answers (404).
    expect((await request(`${cluster.url}/balancer-manager`)).status).toBe(404);
    expect((await cluster.hactl('up')).stdout).toMatch(/^✓ up to date/m);
  });

  it('add web: web3 joins by a graceful restart, with no failed request', async () => {
    const pid = lbWebPid();
    const run = await under(() => cluster.hactl('add', 'web', 'web3'));
    expect(run.value.code, run.value.stderr).toBe(0);
    expect(run.failures).toEqual([]);
    expect(run.requests).toBeGreaterThan(50);
    // Graceful: the same master, a new generation of children.
    expect(lbWebPid()).toBe(pid);
    expect((await web()).get('web3')?.status).toBe('UP');
    // byrequests counts the sticky visitors' requests too: web3, which has none yet, takes the new ones first.
    const seen = new Set<string>();
    for (let i = 0; i < 9; i++) seen.add(String((await request(`${cluster.url}/health`)).headers['x-served-by']));
    expect(seen).toContain('web3');
  }, 60_000);

  it('drain (the N flag) keeps sticky visitors, sends new ones elsewhere, needs no restart, and survives one', async () => {
    // A visitor of web1's: Apache's own route cookie, then the session web1 gives it.
    const jar = new CookieJar();
    jar.store(['ROUTEID=.S1']);
    expect((await request(`${cluster.url}/api/session`, { jar })).headers['x-served-by']).toBe('web1');
    const conf = httpdConf();
    const run = await under(() => cluster.hactl('drain', 'web1'));
    expect(run.value.code, run.value.stderr).toBe(0);
    expect(run.failures).toEqual([]);
    // Told through balancer-manager, no restart; the file says it too (status=+N), so a later graceful or start keeps it.
    expect(httpdConf()).toBe(conf.replace(/(route=S1 .*connectiontimeout=\S+)/, '$1 status=+N'));
    expect((await web()).get('web1')).toMatchObject({ status: 'DRAIN', flags: 'Init Drn Ok' });
    for (let i = 0; i < 6; i++) expect((await request(`${cluster.url}/health`)).headers['x-served-by']).not.toBe('web1');
    expect((await request(`${cluster.url}/api/session`, { jar })).headers['x-served-by']).toBe('web1');
    // The next up has nothing to do.
    expect((await cluster.hactl('up')).stdout).toMatch(/^✓ up to date \(local runtime\)$/m);
    expect(httpdConf()).toMatch(/route=S1 .* status=\+N/);
    expect((await cluster.hactl('reload')).code).toBe(0);
    expect((await web()).get('web1')?.status).toBe('DRAIN');
  }, 60_000);

  it('a change made by hand in balancer-manager shows in status, and up puts back what cluster.yaml says', async () => {
    const action: ServerAction = { kind: 'set-server-state', lb: 'lb-web', backend: 'web', server: 'web2', state: 'maint', reason: 'by hand' };
    await manager().apply(action, 'S2');
    expect((await web()).get('web2')).toMatchObject({ status: 'MAINT', flags: 'Init Dis' });
    expect((await cluster.hactl('up')).stdout).toMatch(/told lb-web: set server web\/web2 state ready/);
    expect((await web()).get('web2')?.status).toBe('UP');
  }, 30_000);

  it('enable, disable (the D flag) and weight (the loadfactor), through balancer-manager, with no failed request', async () => {
    const run = await under(async () => {
      for (const args of [['enable', 'web1'], ['disable', 'web2'], ['weight', 'web3', '20']]) {
        const r = await cluster.hactl(...args);
        expect(r.code, r.stderr).toBe(0);
      }
    });
    expect(run.failures).toEqual([]);
    const now = await web();
    expect([now.get('web1')?.status, now.get('web2')?.status, now.get('web3')?.weight]).toEqual(['UP', 'MAINT', 20]);
    expect((await manager().balancer()).members.find((m) => m.route === 'S3')?.loadfactor).toBe(20);
    expect(yaml()).toMatch(/name: web2, state: maint/);
    expect((await cluster.hactl('enable', 'web2')).code).toBe(0);
    expect((await cluster.hactl('weight', 'web3', '100')).code).toBe(0);
    // Apache has no loadfactor 0: refused before anything is touched.
    const zero = await cluster.hactl('weight', 'web3', '0');
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/0 is not a weight of the apache engine/);
  }, 60_000);

  it('session-mode db and back, reload, trace on and off: graceful restarts with no failed request', async () => {
    const run = await under(async () => {
      for (const args of [['session-mode', 'db'], ['session-mode', 'sticky'], ['reload'], ['trace', 'on'], ['trace', 'off']]) {
        const r = await cluster.hactl(...args);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      }
    });
    expect(run.failures).toEqual([]);
    expect(run.requests).toBeGreaterThan(100);
    expect(httpdConf()).toMatch(/^LogLevel warn$/m);
  }, 90_000);

  it('each request is logged with the member, its route and whether the route changed', async () => {
    const jar = new CookieJar();
    const first = await request(`${cluster.url}/api/session`, { jar });
    const route = `S${String(first.headers['x-served-by']).slice(3)}`;
    await request(`${cluster.url}/api/session`, { jar });
    const log = await eventually('the log lines', async () => {
      const r = await cluster.hactl('logs', 'lb-web', '-n', '400');
      return r.stdout.includes(`route=${route} changed=- sess=ROUTEID/${route}`) ? r.stdout : undefined;
    });
    expect(log).toMatch(new RegExp(`"GET /api/session HTTP/1.1" 200 \\d+ \\d+ member=http://127\\.0\\.52\\.\\d:8000 route=${route} changed=1 sess=-/-`));
  }, 30_000);

  it('remove web: drained, waited for, taken out by a graceful restart, stopped, with no failed request', async () => {
    // A visitor pinned to web3 (Apache's route cookie), every 0.33 s, for 2.5 s: the removal waits for it.
    const t0 = Date.now();
    let pinned = 0;
    let lastPinnedAt = 0;
    const visitor = (async () => {
      while (Date.now() - t0 < 2500) {
        if ((await request(`${cluster.url}/health`, { headers: { cookie: 'ROUTEID=.S3' } })).headers['x-served-by'] === 'web3') {
          pinned++;
          lastPinnedAt = Date.now();
        }
        await new Promise((r) => setTimeout(r, 330));
      }
    })();
    // The load's own clients keep no cookie: those pinned to web3 would keep it busy until the timeout.
    const load = startLoad(cluster.url, { keepAlive: 3, fresh: 3, sticky: false });
    await new Promise((r) => setTimeout(r, 300));
    const value = await cluster.hactl('remove', 'web', 'web3', '--timeout', '10', '--json');
    const removedAt = Date.now();
    const run = { value, ...(await load.stop()) };
    await visitor;
    expect(pinned).toBeGreaterThan(5);
    // It waited for the visitor: out only once none of its requests came for QUIET_S (1 s). Not measured
    // by waited_s, which starts once hactl has planned: how long that takes depends on the machine's load.
    expect(removedAt - lastPinnedAt).toBeGreaterThanOrEqual(1000);
    expect(JSON.parse(run.value.stdout).waited_s).toBeGreaterThan(1);
    expect(run.value.code, run.value.stderr).toBe(0);
    expect(run.failures).toEqual([]);
    expect(JSON.parse(run.value.stdout)).toMatchObject({ node: 'web3', drained: true });
    expect((await manager().balancer()).members.map((m) => m.route)).toEqual(['S1', 'S2']);
    expect(readState(join(cluster.dir, '.hactl')).web3).toBeUndefined();
  }, 60_000);

  it("the dashboard's actions reach Apache: state, add, session mode, reload, remove, clean, under load with no failed request", async () => {
    const dashboard = await startDashboard(cluster, 19042);
    try {
      const jar = new CookieJar();
      const login = await request(`${dashboard.url}api/login`, { method: 'POST', json: { user: dashboard.user, password: dashboard.password }, jar });
      expect(login.status, login.body).toBe(200);
      const csrf = login.json<{ csrf: string }>().csrf;
      const call = (method: string, path: string, json?: unknown) => request(`${dashboard.url}${path.slice(1)}`, { method, json, jar, headers: { 'x-csrf-token': csrf } });
      const run = await under(async () => {
        const answers: [string, number][] = [];
        for (const [method, path, json] of [
          ['POST', '/api/web/web1/state', { state: 'drain' }],
          ['POST', '/api/web', { name: 'web3' }],
          ['POST', '/api/web/web1/state', { state: 'ready' }],
          ['POST', '/api/session-mode', { mode: 'db' }],
          ['POST', '/api/session-mode', { mode: 'sticky' }],
          ['POST', '/api/reload', {}],
          ['DELETE', '/api/web/web3', undefined],
          ['POST', '/api/clean', {}],
        ] as [string, string, unknown][]) {
          const r = await call(method, path, json);
          answers.push([`${method} ${path}`, r.status]);
        }
        return answers;
      });
      expect(run.value.filter(([, status]) => status !== 200)).toEqual([]);
      expect(run.failures).toEqual([]);
      expect((await manager().balancer()).members.map((m) => [m.route, m.flags.join(' ')])).toEqual([
        ['S1', 'Init Ok'],
        ['S2', 'Init Ok'],
      ]);
    } finally {
      await dashboard.stop();
    }
  }, 120_000);

  it('drill sessions runs on Apache: every mode, the node killed and put back, what each mode keeps as on HAProxy', async () => {
    const r = await cluster.hactl('drill', 'sessions', '--json', '--reads', '20', '--reads-after', '6');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { mode: string; killed: string; failed: number; errors: string[]; served_by_after_kill: Record<string, number>; survived_death: { verdict: string } }[];
    expect(report.map((m) => [m.mode, m.survived_death.verdict])).toEqual([
      ['none', 'no'],
      ['sticky', 'no'],
      ['db', 'yes'],
    ]);
    for (const m of report) {
      expect(Object.keys(m.served_by_after_kill), m.mode).not.toContain(m.killed);
      // A refused connection is sent to another member: the client's requests are sequential, none in flight at the kill.
      expect(m.failed, `${m.mode}: ${m.errors.join('; ')}`).toBe(0);
    }
    await eventually('both members UP again', async () => [...(await web()).values()].every((n) => n.status === 'UP'), 20_000);
  }, 180_000);

  it('switching the engine to haproxy and back restarts lb-web and says for how long the site did not answer', async () => {
    const to = await cluster.switchEngine('haproxy');
    expect(to.code, to.stderr).toBe(0);
    expect(to.stdout).toMatch(/^✓ lb-web runs on haproxy; the site did not answer for \d+\.\d\d s while it switched$/m);
    expect(yaml()).toMatch(/engine: haproxy/);
    expect(JSON.parse((await cluster.hactl('status', '--json')).stdout).engine).toBe('haproxy');
    expect((await request(`${cluster.url}/health`)).status).toBe(200);
    const back = await cluster.switchEngine('apache', '--json');
    expect(back.code, back.stderr).toBe(0);
    expect(JSON.parse(back.stdout).outages).toEqual([{ process: 'lb-web', ms: expect.any(Number) }]);
    expect((await web()).get('web1')?.flags).toBe('Init Ok');
  }, 90_000);
});
