import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { get, request as httpRequest } from 'node:http';
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

/** What a streamed POST got: the answer, and how many body bytes the server let it send. */
interface Streamed {
  status: number;
  body: string;
  written: number;
}

/**
 * A POST whose body PRODUCE writes piece by piece (chunked unless HEADERS give a
 * Content-Length): for bodies request() cannot send, too big or too slow.
 * write() resolves false once the server has answered or closed the connection.
 */
function streamedPost(path: string, headers: Record<string, string>, produce: (write: (chunk: Buffer) => Promise<boolean>) => Promise<void>, localAddress?: string): Promise<Streamed> {
  return new Promise((resolve) => {
    const got: Streamed = { status: 0, body: '', written: 0 };
    let closed = false;
    // Keep-alive as browsers and curl ask: agent: false alone asks for Connection: close, and then
    // the server closes as soon as it has answered, under a client still sending.
    const req = httpRequest(`${URL_}${path}`, { method: 'POST', headers: { connection: 'keep-alive', ...headers }, agent: false, localAddress, timeout: 60_000 }, (res) => {
      got.status = res.statusCode ?? 0;
      res.setEncoding('utf8');
      res.on('data', (d: string) => (got.body += d));
    });
    const gone = new Promise<void>((r) =>
      req.once('close', () => {
        closed = true;
        r();
      }),
    );
    // EPIPE or ECONNRESET: the server stopped reading, which is what some tests want.
    req.on('error', () => undefined);
    req.on('timeout', () => req.destroy());
    // A client stops sending once it has its answer, as curl and browsers do.
    const write = async (chunk: Buffer) => {
      if (closed || got.status !== 0) return false;
      got.written += chunk.length;
      if (!req.write(chunk)) await Promise.race([new Promise((r) => req.once('drain', r)), gone]);
      return !closed && got.status === 0;
    };
    void produce(write).then(() => {
      if (!closed) req.end();
    });
    void gone.then(() => resolve(got));
  });
}

const MB = 1024 * 1024;
const rssMb = (pid: number) => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

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
  it('are generated into secrets.json (0600), never printed unasked (only where to find them), and printed on --show-credentials', async () => {
    expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(statSync(join(cluster.dir, '.hactl/secrets.json')).mode & 0o777).toBe(0o600);
    const again = await startDashboard(cluster, 19001);
    await again.stop();
    for (const log of [dashboard.log(), again.log()]) {
      expect(log).toContain('login: user admin; password: hactl dashboard --show-credentials');
      expect(log).not.toContain(password);
    }
    expect(again.log()).toContain('dashboard: http://127.0.90.1:19001/');
    const init = await cluster.hactl('init', '--force', '-f', join(cluster.dir, 'other.yaml'));
    expect(init.stdout).toContain('dashboard login: user admin; password: hactl dashboard --show-credentials');
    expect(init.stdout).not.toContain(password);
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
      ['POST', '/api/db/mysql2/switchover', {}],
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
      ['POST', '/api/web', { name: 'web3', port: 0 }, 'port', /^0 is not a whole number from 1 to 65535$/],
      ['POST', '/api/web', { name: 'we b3' }, 'name', /contains a space/],
      // The file's list is in flow style ([web1, web2]): pasted unquoted, these added two nodes or broke it.
      ['POST', '/api/web', { name: 'web3,web4' }, 'name', /"web3,web4" is not valid: expected a DNS label/],
      ['POST', '/api/web', { name: 'web3}' }, 'name', /"web3}" is not valid/],
      ['POST', '/api/web', { name: 'lb-web' }, 'name', /"lb-web" is not available/],
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

  it('takes a JSON object or no body on every POST, /api/refresh included; anything else is a 400', async () => {
    const post = (path: string, body: { json?: unknown; form?: Record<string, string> }) =>
      request(`${URL_}${path}`, { method: 'POST', jar, headers: { 'x-csrf-token': csrf }, ...body });
    for (const path of ['/api/refresh', '/api/reload', '/api/web/web1/state']) {
      for (const body of [{ form: { state: 'drain' } }, { json: ['drain'] }, { json: 'drain' }, { json: null }]) {
        const r = await post(path, body);
        expect(r.status, `${path} ${JSON.stringify(body)}: ${r.body}`).toBe(400);
        expect(r.json<{ error: { message: string } }>().error.message).toBe('the request body must be a JSON object (or empty)');
      }
    }
    expect((await post('/api/refresh', {})).status).toBe(200);
    expect((await post('/api/refresh', { json: {} })).status).toBe(200);
  });

  it('takes every field only in its own type: a port in a list or in quotes, a name as a number, are refused', async () => {
    const before = { yaml: yaml(), pids: pids() };
    const cases: [string, string, unknown, string, RegExp][] = [
      ['POST', '/api/web', { name: 'web3', port: [8000] }, 'port', /^\[8000\] is not a number$/],
      ['POST', '/api/db', { name: 'mysql3', port: [3306] }, 'port', /^\[3306\] is not a number$/],
      ['POST', '/api/web', { name: 'web3', port: '8000' }, 'port', /^"8000" is not a number$/],
      ['POST', '/api/web', { name: 'web3', weight: '3' }, 'weight', /^"3" is not a number$/],
      ['POST', '/api/web', { name: 'web3', port: 8000.5 }, 'port', /^8000\.5 is not a whole number from 1 to 65535$/],
      ['POST', '/api/web', { name: ['web3'] }, 'name', /^\["web3"\] is not text$/],
      ['POST', '/api/web', { name: 'web3', host: null }, 'host', /^null is not text$/],
      ['POST', '/api/web', { name: 'web3', cookie: 3 }, 'cookie', /^3 is not text$/],
      ['POST', '/api/session-mode', { mode: ['db'] }, 'mode', /^\["db"\] is not text$/],
      ['DELETE', '/api/db/mysql2?force=yes', undefined, 'force', /^"yes" is not true or false$/],
      ['DELETE', '/api/web/web2?timeout=1e3', undefined, 'timeout', /^"1e3" is not a whole number from 0 to 86400$/],
    ];
    for (const [method, path, json, field, message] of cases) {
      const r = await call(method, path, json);
      expect(r.status, `${path} ${JSON.stringify(json)}: ${r.body}`).toBe(400);
      const { error } = r.json<{ error: { fields: Record<string, string> } }>();
      expect(error.fields[field] ?? `no message for ${field}: ${r.body}`).toMatch(message);
    }
    expect(yaml()).toBe(before.yaml);
    expect(pids()).toEqual(before.pids);
  });

  it('shows every problem of an invalid cluster.yaml, line by line, not only how many there are', async () => {
    const valid = yaml();
    const file = join(cluster.dir, 'cluster.yaml');
    writeFileSync(file, valid.replace(/^web: .*$/m, 'web: ["we b1", web2]'));
    try {
      const problem = /^cluster\.yaml:\d+:\d+ web\[0\]: "we b1" is not valid \(it contains a space\)/;
      const r = await call('POST', '/api/refresh');
      expect(r.status, r.body).toBe(200);
      const { config_error } = r.json<{ config_error: { message: string; details: string[] } | null }>();
      expect(config_error?.message).toMatch(/^cluster\.yaml has 1 problem/);
      expect(config_error?.details).toEqual([expect.stringMatching(problem)]);
      // An operation refused for it says the same.
      const add = await call('POST', '/api/web', { name: 'web3' });
      expect(add.status).toBe(400);
      expect(add.json<{ error: { details: string[] } }>().error.details).toEqual([expect.stringMatching(problem)]);
    } finally {
      writeFileSync(file, valid);
    }
    expect((await call('POST', '/api/refresh')).json<{ config_error: unknown }>().config_error).toBeNull();
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

  it('makes mysql2 the active master and mysql1 again (Make active): the pause in writes answered, the roles pushed to an open page; an unknown node is a 400', async () => {
    const feed = events(jar);
    try {
      const r = await call('POST', '/api/db/mysql2/switchover', {});
      expect(r.status, r.body).toBe(200);
      expect(JSON.parse(r.body).result).toMatchObject({ from: 'mysql1', to: 'mysql2', moved: true, pause_ms: expect.any(Number) });
      await eventually('mysql2 active on the feed', async () => feed.seen.some((e) => e.event === 'status' && (nodeIn(e.data, 'mysql2') as { role?: string } | undefined)?.role === 'active'), 3000);
      const unknown = await call('POST', '/api/db/mysql9/switchover', {});
      expect(unknown.status).toBe(400);
      expect(unknown.body).toMatch(/no DB node named \\"mysql9\\"|no DB node named "mysql9"/);
      expect((await call('POST', '/api/db/mysql1/switchover', {})).status).toBe(200);
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

  it("the event log: the dashboard's monitor saw web2 go down and come back, between them the up that brought it back; hactl events shows them", async () => {
    const read = async () => {
      const r = await cluster.hactl('events', '--json', '-n', '1000');
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { type: string; subject?: string; from?: string; to?: string; command?: string; result?: string }[]).map((e) =>
        e.type === 'state' ? `${e.subject}: ${e.from} → ${e.to}` : `${e.command}: ${e.result}`,
      );
    };
    // The monitor reads once a second: its last line may come a moment after the page saw web2 UP.
    const seen = await eventually('web2 back up in the log', async () => {
      const lines = await read();
      return lines.lastIndexOf('web2: down → up') > lines.lastIndexOf('web2: up → down') && lines;
    }, 5000);
    const down = seen.lastIndexOf('web2: up → down');
    expect(down).toBeGreaterThanOrEqual(0);
    expect(seen.indexOf('hactl up: applied', down)).toBeGreaterThan(down);
    expect(seen.indexOf('web2: down → up', down)).toBeGreaterThan(down);
    expect((await cluster.hactl('events')).stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}web2: up → down$/m);
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

describe('request bodies', () => {
  const big = Buffer.alloc(64 * 1024, 'a');
  /** Writes up to BYTES of BIG-sized chunks, until the server stops reading. */
  const upTo = (bytes: number) => async (write: (chunk: Buffer) => Promise<boolean>) => {
    for (let sent = 0; sent < bytes && (await write(big)); sent += big.length);
  };

  it('answers a body over the limit with 413 before reading it, whether it has a Content-Length or comes in chunks', async () => {
    const declared = await streamedPost('/api/login', { 'content-type': 'application/json', 'content-length': String(64 * MB) }, upTo(64 * MB));
    expect(declared.status).toBe(413);
    expect(declared.written).toBeLessThan(16 * MB);
    expect(JSON.parse(declared.body)).toMatchObject({ error: { message: expect.stringMatching(/too large/) } });
    const chunked = await streamedPost('/api/login', { 'content-type': 'application/json' }, upTo(128 * 1024));
    expect(chunked.status).toBe(413);
    // After a login too, on every route that reads a body.
    const jar = new CookieJar();
    const csrf = await login(jar);
    for (const path of ['/api/web', '/api/session-mode', '/api/logout']) {
      const r = await streamedPost(path, { 'content-type': 'application/json', cookie: jar.header()!, 'x-csrf-token': csrf }, upTo(128 * 1024));
      expect(r.status, path).toBe(413);
    }
  });

  it('stops reading a 50 MB chunked body at once: the dashboard does not grow', async () => {
    const before = rssMb(dashboard.pid);
    const r = await streamedPost('/api/login', { 'content-type': 'application/json' }, upTo(50 * MB));
    expect(r.status).toBe(413);
    expect(r.written).toBeLessThan(16 * MB);
    expect(rssMb(dashboard.pid) - before).toBeLessThan(20);
  });
});

describe('the login rate limit', () => {
  it('counts an attempt from its start: of 30 slow wrong logins at once from one address, all but the free five get 429', async () => {
    const attempt = (i: number) => {
      const body = Buffer.from(JSON.stringify({ user: 'admin', password: `wrong-${i}` }));
      return streamedPost(
        '/api/login',
        { 'content-type': 'application/json', 'content-length': String(body.length) },
        async (write) => {
          await write(body.subarray(0, 5));
          await new Promise((r) => setTimeout(r, 1000));
          await write(body.subarray(5));
        },
        '127.0.90.20',
      );
    };
    const statuses = (await Promise.all(Array.from({ length: 30 }, (_, i) => attempt(i)))).map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(25);
  });
});

describe('Host and Origin (DNS rebinding)', () => {
  const evil = { host: 'evil.example:19000' };

  it('answers any Host the dashboard is not served as with 421, and accepts its address and the loopback names', async () => {
    for (const host of ['evil.example:19000', 'evil.example', `${HOST}:19001`, `${HOST}`, 'localhost.:19000', '127.0.0.1.evil.example:19000']) {
      const r = await request(`${URL_}/`, { headers: { host } });
      expect(r.status, `Host: ${host}`).toBe(421);
      expect(r.body).toMatch(/not served as/);
    }
    for (const host of [`${HOST}:19000`, 'localhost:19000', '127.0.0.1:19000', '[::1]:19000']) {
      expect((await request(`${URL_}/`, { headers: { host } })).status, `Host: ${host}`).toBe(200);
    }
    expect((await request(`${URL_}/api/login`, { method: 'POST', json: { user: 'admin', password }, headers: evil })).status).toBe(421);
  });

  it('refuses a change sent from another site (its Origin, or its Referer without one) with 403', async () => {
    const jar = new CookieJar();
    const csrf = await login(jar);
    const refresh = (headers: Record<string, string>) => request(`${URL_}/api/refresh`, { method: 'POST', json: {}, jar, headers: { 'x-csrf-token': csrf, ...headers } });
    expect((await refresh(evil)).status).toBe(421);
    const foreign: Record<string, string>[] = [
      { origin: 'http://evil.example' },
      { origin: 'http://evil.example:19000' },
      { origin: 'null' },
      { referer: 'http://evil.example/attack.html' },
      { origin: `https://${HOST}:19001` },
    ];
    for (const headers of foreign) {
      const r = await refresh(headers);
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect(r.json<{ error: { message: string } }>().error.message).toMatch(/another site/);
    }
    const own: Record<string, string>[] = [{}, { origin: URL_ }, { origin: 'http://localhost:19000' }, { referer: `${URL_}/` }];
    for (const headers of own) {
      expect((await refresh(headers)).status, JSON.stringify(headers)).toBe(200);
    }
    const from = { origin: 'http://evil.example' };
    expect((await request(`${URL_}/api/login`, { method: 'POST', json: { user: 'admin', password }, headers: from })).status).toBe(403);
  });

  it('never counts a refused Host as a failed login: 20 of them, then the administrator logs in from the same address', async () => {
    const from = { localAddress: '127.0.90.31' };
    for (let i = 0; i < 20; i++) {
      const r = await request(`${URL_}/api/login`, { method: 'POST', json: { user: 'admin', password: `guess-${i}` }, headers: evil, ...from });
      expect(r.status).toBe(421);
    }
    await login(new CookieJar(), from);
  });

  it('accepts the names given with --host-name, with any port (a proxy forwards its own); refuses a bad name before listening', async () => {
    const named = await startDashboard(cluster, 19004, '--host-name', 'dash.test', '--host-name', 'Admin.Example.org');
    try {
      const at = (host: string) => request(`http://${HOST}:19004/`, { headers: { host } }).then((r) => r.status);
      expect(await at('dash.test:19004')).toBe(200);
      expect(await at('dash.test')).toBe(200);
      expect(await at('admin.example.org:443')).toBe(200);
      expect(await at('other.test:19004')).toBe(421);
      const r = await request(`http://${HOST}:19004/api/login`, { method: 'POST', json: { user: 'admin', password }, headers: { host: 'dash.test', origin: 'https://dash.test' } });
      expect(r.status).toBe(200);
    } finally {
      await named.stop();
    }
    for (const name of ['http://dash.test', 'dash.test:8443', 'a b', '']) {
      const bad = await cluster.hactl('dashboard', '--host', HOST, '--port', '19005', '--host-name', name);
      expect(bad.code, name).toBe(2);
      expect(bad.stderr).toContain(`--host-name: ${JSON.stringify(name)} is not a host name`);
    }
  });
});

describe('without a cluster file', () => {
  it('dashboard and dashboard --show-credentials refuse with exit 2, naming the file, and create nothing', async () => {
    const missing = join(cluster.dir, 'nowhere/dir/cluster.yaml');
    for (const args of [['dashboard', '--show-credentials'], ['dashboard', '--show-credentials', '--json'], ['dashboard'], ['dashboard', '--host', HOST, '-p', '19005']]) {
      const r = await cluster.hactl('-f', missing, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining(`${missing} not found`)]);
      expect(existsSync(join(cluster.dir, 'nowhere')), args.join(' ')).toBe(false);
    }
  });
});
