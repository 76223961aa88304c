import { readFileSync, readdirSync, statSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readState } from '../../src/drivers/local/state.js';
import { groupAlive } from '../../src/drivers/local/supervisor.js';
import { eventually, TestCluster } from '../support/cluster.js';
import { startDashboard, type TestDashboard } from '../support/dashboard.js';
import { CookieJar, request, type HttpOptions } from '../support/http.js';

// The dashboard's API on a running local cluster (127.0.90.1, 127.0.100.x,
// 127.0.110.x only), served by `hactl dashboard` as users start it.
const cluster = new TestCluster(90);
const HOST = '127.0.90.1';
const URL_ = `http://${HOST}:19000`;
const yaml = () => readFileSync(join(cluster.dir, 'cluster.yaml'), 'utf8');
const pids = () => Object.fromEntries(Object.entries(readState(join(cluster.dir, '.hactl'))).map(([k, v]) => [k, v.pid]));

let dashboard: TestDashboard;
let password = '';

async function login(jar: CookieJar, options: HttpOptions = {}): Promise<string> {
  const r = await request(`${URL_}/api/login`, { method: 'POST', json: { user: 'admin', password }, jar, ...options });
  expect(r.status, r.body).toBe(200);
  return r.json<{ csrf: string }>().csrf;
}

/** Server-sent events, collected until stop(). */
function events(jar: CookieJar) {
  const seen: { event: string; data: unknown }[] = [];
  let buffer = '';
  let status = 0;
  const req = get(`${URL_}/api/events`, { agent: false, headers: { cookie: jar.header() ?? '' } }, (res) => {
    status = res.statusCode ?? 0;
    res.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: ?(.*)$/m.exec(block)?.[1];
        const data = /^data: ?(.*)$/m.exec(block)?.[1];
        if (event && data !== undefined) seen.push({ event, data: JSON.parse(data) });
      }
    });
  });
  req.on('error', () => undefined);
  return { seen, status: () => status, stop: () => req.destroy() };
}

type Node = { name: string; status: string };
const nodeIn = (data: unknown, name: string) => (data as { nodes: Node[] }).nodes.find((n) => n.name === name);

beforeAll(async () => {
  await cluster.startHealthy();
  dashboard = await startDashboard(cluster);
  password = dashboard.password;
}, 120_000);
afterAll(async () => {
  await dashboard?.stop();
  await cluster.destroy();
}, 60_000);

describe('credentials', () => {
  it('are generated into secrets.json (0600), printed once at the first start, and on --show-credentials', async () => {
    expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(statSync(join(cluster.dir, '.hactl/secrets.json')).mode & 0o777).toBe(0o600);
    expect(dashboard.log()).toContain(`login: admin / ${password}`);
    const again = await startDashboard(cluster, 19001);
    await again.stop();
    expect(again.log()).toContain('dashboard: http://127.0.90.1:19001/');
    expect(again.log()).not.toContain(password);
    const shown = await cluster.hactl('dashboard', '--show-credentials');
    expect(shown.stdout).toContain(`password: ${password}`);
  });
});

describe('without a login', () => {
  it('answers 401 to every API call and changes nothing', async () => {
    const before = { yaml: yaml(), pids: pids() };
    const calls: [string, string, unknown?][] = [
      ['GET', '/api/status'],
      ['GET', '/api/events'],
      ['POST', '/api/web', { name: 'web3' }],
      ['POST', '/api/session-mode', { mode: 'db' }],
      ['POST', '/api/reload', {}],
      ['POST', '/api/nodes/web1/stop', {}],
      ['DELETE', '/api/web/web2'],
      ['POST', '/api/clean', {}],
    ];
    for (const [method, path, json] of calls) {
      const r = await request(`${URL_}${path}`, { method, json });
      expect(r.status, `${method} ${path}`).toBe(401);
      expect(r.json<{ error: { message: string } }>().error.message).toBe('log in first');
    }
    expect(yaml()).toBe(before.yaml);
    expect(pids()).toEqual(before.pids);
  });

  it('refuses a wrong password, and slows down an address that keeps trying', async () => {
    const from = { localAddress: '127.0.90.9' };
    for (let i = 0; i < 5; i++) {
      const r = await request(`${URL_}/api/login`, { method: 'POST', json: { user: 'admin', password: `wrong${i}` }, ...from });
      expect(r.status).toBe(401);
      expect(r.headers['set-cookie']).toBeUndefined();
    }
    const blocked = await request(`${URL_}/api/login`, { method: 'POST', json: { user: 'admin', password }, ...from });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Another client is not locked out by that one.
    await login(new CookieJar(), { localAddress: '127.0.90.10' });
  });
});

describe('with a login', () => {
  const jar = new CookieJar();
  let csrf = '';
  beforeAll(async () => {
    const r = await request(`${URL_}/api/login`, { method: 'POST', json: { user: 'admin', password }, jar });
    expect(r.status).toBe(200);
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toMatch(/hactl_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    csrf = r.json<{ csrf: string }>().csrf;
  });
  // TOKEN null: no X-CSRF-Token header at all.
  const call = (method: string, path: string, json?: unknown, token: string | null = csrf) =>
    request(`${URL_}${path}`, { method, json, jar, headers: token === null ? {} : { 'x-csrf-token': token } });

  it('reads the status snapshot', async () => {
    const r = await call('GET', '/api/status');
    expect(r.status).toBe(200);
    const s = r.json<{ cluster: string; session_mode: string; nodes: Node[]; last_check: Record<string, number> }>();
    expect(s.cluster).toBe('test90');
    expect(s.session_mode).toBe('sticky');
    expect(s.nodes.map((n) => n.name)).toEqual(['web1', 'web2', 'mysql1', 'mysql2']);
    expect(nodeIn(s, 'web1')!.status).toBe('UP');
    expect(Date.now() - s.last_check.web1!).toBeLessThan(5000);
  });

  it('refuses every change without its CSRF token (403), or with a wrong one, and changes nothing', async () => {
    const before = { yaml: yaml(), pids: pids() };
    const changes: [string, string, unknown?][] = [
      ['POST', '/api/web', { name: 'web3' }],
      ['POST', '/api/session-mode', { mode: 'db' }],
      ['POST', '/api/web/web1/state', { state: 'maint' }],
      ['POST', '/api/nodes/web1/stop', {}],
      ['POST', '/api/reload', {}],
      ['DELETE', '/api/web/web2'],
      ['DELETE', '/api/db/mysql2'],
      ['POST', '/api/logout', {}],
    ];
    for (const token of [null, '', `${csrf}x`, 'x'.repeat(csrf.length)]) {
      for (const [method, path, json] of changes) {
        const r = await call(method, path, json, token);
        expect(r.status, `${method} ${path} with ${JSON.stringify(token)}`).toBe(403);
      }
    }
    expect(yaml()).toBe(before.yaml);
    expect(pids()).toEqual(before.pids);
    expect((await call('GET', '/api/status')).status).toBe(200);
  });

  it('answers invalid input with 400 and the message of the field, as the CLI says it, changing nothing', async () => {
    const before = { yaml: yaml(), pids: pids() };
    const cases: [string, string, unknown, string, RegExp][] = [
      ['POST', '/api/web', { name: 'web3', cookie: 'S"3' }, 'cookie', /"S\\"3" is not valid \(it contains a quote\)/],
      ['POST', '/api/web', { name: 'web3', cookie: 'S1' }, 'cookie', /cookie "S1" is already used by web1/],
      ['POST', '/api/web', { name: 'web3', port: '0' }, 'port', /^"0" is not a whole number from 1 to 65535$/],
      ['POST', '/api/web', { name: 'we b3' }, 'name', /contains a space/],
      ['POST', '/api/web', { name: 'web3', host: 'a;b' }, 'host', /shell or config metacharacter/],
      ['POST', '/api/web', { name: 'web1' }, 'name', /name "web1" is already used/],
      ['POST', '/api/web', { host: '127.0.100.3' }, 'name', /required/],
      ['POST', '/api/web', { name: 'web3', colour: 'red' }, 'colour', /not a field of this form/],
      ['POST', '/api/db', { name: 'mysql3', host: 'a\nb' }, 'host', /line break/],
      ['POST', '/api/session-mode', { mode: 'cookies' }, 'mode', /"cookies" is not one of none, sticky, db/],
      ['POST', '/api/web/web1/state', { state: 'off' }, 'state', /"off" is not one of ready, drain, maint/],
    ];
    for (const [method, path, json, field, message] of cases) {
      const r = await call(method, path, json);
      expect(r.status, `${path} ${JSON.stringify(json)}: ${r.body}`).toBe(400);
      const { error } = r.json<{ error: { message: string; fields: Record<string, string> } }>();
      expect(error.fields[field] ?? `no message for ${field}: ${r.body}`).toMatch(message);
    }
    const notJson = await request(`${URL_}/api/web`, { method: 'POST', jar, headers: { 'x-csrf-token': csrf, 'content-type': 'application/json' }, form: { name: 'web3' } });
    expect(notJson.status).toBe(400);
    expect(yaml()).toBe(before.yaml);
    expect(pids()).toEqual(before.pids);
  });

  it('drains web1 and enables it again: 200, the steps and the new state pushed to an open page, cluster.yaml recorded', async () => {
    const feed = events(jar);
    try {
      await eventually('a first snapshot', async () => feed.seen.some((e) => e.event === 'status'), 3000);
      const r = await call('POST', '/api/web/web1/state', { state: 'drain' });
      expect(r.status, r.body).toBe(200);
      expect(yaml()).toContain('{ name: web1, state: drain }');
      await eventually('web1 DRAIN on the feed', async () => feed.seen.some((e) => e.event === 'status' && nodeIn(e.data, 'web1')?.status === 'DRAIN'), 3000);
      const ops = feed.seen.filter((e) => e.event === 'op').map((e) => e.data as { op: string; state: string });
      expect(ops).toContainEqual(expect.objectContaining({ op: 'set web1', state: 'started' }));
      expect(ops).toContainEqual(expect.objectContaining({ op: 'set web1', state: 'done' }));
      expect((await call('POST', '/api/web/web1/state', { state: 'ready' })).status).toBe(200);
      await eventually('web1 UP on the feed', async () => feed.seen.some((e) => e.event === 'status' && nodeIn(e.data, 'web1')?.status === 'UP'), 3000);
    } finally {
      feed.stop();
    }
  });

  it('pushes a crash to an open page within a second or two, with no request of its own', async () => {
    const feed = events(jar);
    try {
      await eventually('a first snapshot', async () => feed.seen.some((e) => e.event === 'status'), 3000);
      expect(feed.status()).toBe(200);
      const t0 = Date.now();
      await cluster.kill('web2');
      await eventually('web2 not UP on the feed', async () => feed.seen.some((e) => e.event === 'status' && nodeIn(e.data, 'web2')?.status !== 'UP'), 5000);
      expect(Date.now() - t0).toBeLessThan(2000);
    } finally {
      feed.stop();
    }
    expect((await cluster.hactl('up')).code).toBe(0);
    await eventually('web2 UP again', async () => nodeIn((await call('GET', '/api/status')).json(), 'web2')?.status === 'UP', 15_000);
  });

  it('tests a node directly, and shows its log', async () => {
    // No body at all, as the page sends it.
    const t = await call('POST', '/api/nodes/web1/test');
    expect(t.status).toBe(200);
    expect(t.json<{ result: { ok: boolean; detail: string } }>().result).toMatchObject({ ok: true, detail: 'HTTP 200, served by web1' });
    const db = await call('POST', '/api/nodes/mysql2/test', {});
    expect(db.json<{ result: { ok: boolean; detail: string } }>().result.detail).toMatch(/^MariaDB .* answers \(server id 2/);
    const log = await call('GET', '/api/nodes/lb-web/logs?lines=5');
    expect(log.status).toBe(200);
    expect(log.body.trim().split('\n').length).toBeLessThanOrEqual(5);
    expect((await call('GET', '/api/nodes/nope/logs')).status).toBe(400);
  });

  it('logs out: the session is gone', async () => {
    const other = new CookieJar();
    const token = await login(other);
    expect((await request(`${URL_}/api/logout`, { method: 'POST', jar: other, json: {}, headers: { 'x-csrf-token': token } })).status).toBe(200);
    expect((await request(`${URL_}/api/status`, { jar: other })).status).toBe(401);
  });
});

describe('the page', () => {
  it('is served with a content security policy that allows only its own scripts', async () => {
    const r = await request(`${URL_}/`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    expect(r.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.body).toContain('<script type="module" src="/assets/app.js">');
    expect((await request(`${URL_}/assets/app.js`)).headers['content-type']).toMatch(/javascript/);
    expect((await request(`${URL_}/assets/..%2Fsecrets.json`)).status).toBe(404);
  });

  it('never turns data into HTML: its scripts only ever set text', () => {
    const dir = new URL('../../src/dashboard/client/', import.meta.url).pathname;
    for (const file of readdirSync(dir)) {
      const source = readFileSync(join(dir, file), 'utf8');
      expect(source, file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
    }
  });
});

describe('allowed client networks', () => {
  it('refuses clients outside --allow with 403, and a bad network before listening', async () => {
    const limited = await startDashboard(cluster, 19002, '--allow', '10.0.0.0/8');
    try {
      expect((await request(`http://${HOST}:19002/`)).status).toBe(403);
      expect((await request(`http://${HOST}:19002/api/login`, { method: 'POST', json: { user: 'admin', password } })).status).toBe(403);
    } finally {
      await limited.stop();
    }
    const open = await startDashboard(cluster, 19002, '--allow', '127.0.0.0/8');
    try {
      expect((await request(`http://${HOST}:19002/`)).status).toBe(200);
    } finally {
      await open.stop();
    }
    const bad = await cluster.hactl('dashboard', '--host', HOST, '--port', '19003', '--allow', '10.0.0.0/33');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--allow: "10.0.0.0/33" is not an address or a network');
    expect(groupAlive(pids()['lb-web']!)).toBe(true);
  });
});
