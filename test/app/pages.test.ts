import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppSettings } from '../support/app-settings.js';
import { CookieJar, request, type HttpOptions, type HttpResponse } from '../support/http.js';
import { startPhpApp, type PhpApp } from '../support/php-server.js';

// The app without a DB: its DB entry points at a port where nothing listens.
let app: PhpApp;
let initial: AppSettings;

beforeAll(async () => {
  app = await startPhpApp({ host: '127.0.1.101', name: 'web1' });
  initial = app.settings;
});
afterAll(async () => {
  await app?.stop();
});
// Tests rewrite the settings; each starts from the original ones.
afterEach(async () => {
  await app.writeSettings(initial);
});

const call = (path: string, options?: HttpOptions): Promise<HttpResponse> => request(app.url + path, options);

/** What the app must never show a visitor. */
function expectNoLeak(response: HttpResponse): void {
  expect(response.body).not.toMatch(/Warning:|Fatal error|Stack trace|Uncaught|\.php on line|#0 \//);
}

interface ApiSession {
  node: string;
  address: string;
  session_id: string | null;
  handler: string;
  mode: string;
  color: string | null;
  counter: number;
}

describe('favorite color page', () => {
  it('keeps the color posted with the form in the session and shows it back', async () => {
    const jar = new CookieJar();
    const first = await call('/', { jar });
    expect(first.status).toBe(200);
    const sessionId = jar.get('PHPSESSID');
    expect(sessionId).toMatch(/^[a-z0-9,-]{20,}$/i);
    expect(first.body).toContain('(none)');

    const posted = await call('/', { jar, form: { color: ' Teal ' } });
    expect(posted.status).toBe(303);
    expect(posted.headers.location).toBe('/');

    const page = await call('/', { jar });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<span class="swatch" style="background:teal"></span>teal');
    expect(page.body).toContain(`<code>${sessionId}</code>`);
    expect(page.body).toContain('<strong class="node">web1</strong>');
    expect(page.body).toContain(`<code>127.0.1.101:${app.port}</code>`);
    expect(page.body).toContain('files (native)');
    expect(page.body).toContain('mode sticky');
  });

  it('sets an HttpOnly, SameSite=Lax cookie named from the settings, Secure only behind a trusted TLS proxy', async () => {
    await app.writeSettings((s) => ({ ...s, session: { ...s.session, name: 'HACTLSID' } }));
    const plain = new CookieJar();
    await call('/', { jar: plain });
    expect(plain.setCookieLines).toHaveLength(1);
    expect(plain.setCookieLines[0]).toMatch(/^HACTLSID=[^;]+; path=\/; HttpOnly; SameSite=Lax$/);

    const viaTls = new CookieJar();
    await call('/', { jar: viaTls, headers: { 'x-forwarded-proto': 'https' } });
    expect(viaTls.setCookieLines[0]).toMatch(/; secure; HttpOnly; SameSite=Lax$/);

    const spoofed = new CookieJar();
    await call('/', { jar: spoofed, headers: { 'x-forwarded-proto': 'https' }, localAddress: '127.0.0.5' });
    expect(spoofed.setCookieLines[0]).not.toMatch(/secure/i);
  });

  it('rejects an invalid color with 400 and keeps the old one', async () => {
    const jar = new CookieJar();
    await call('/', { jar, form: { color: 'red' } });
    for (const bad of ['notacolor', '#12345', '#1234567', 'red;background:url(x)', 'x'.repeat(5000), '']) {
      const answer = await call('/', { jar, form: { color: bad } });
      expect(answer.status, bad).toBe(400);
      expect(answer.body).toContain('role="alert"');
      expectNoLeak(answer);
    }
    const api = (await call('/api/session', { jar })).json<ApiSession>();
    expect(api.color).toBe('red');
  });

  it('accepts #rrggbb in any case and stores it in lower case', async () => {
    const jar = new CookieJar();
    await call('/', { jar, form: { color: '#A0b1C2' } });
    expect((await call('/api/session', { jar })).json<ApiSession>().color).toBe('#a0b1c2');
  });

  it('refuses a session id it did not issue (strict mode)', async () => {
    const jar = new CookieJar();
    jar.set('PHPSESSID', 'chosenbytheattacker123456');
    const answer = (await call('/api/session', { jar })).json<ApiSession>();
    expect(answer.session_id).not.toBe('chosenbytheattacker123456');
    expect(jar.get('PHPSESSID')).toBe(answer.session_id);
  });
});

describe('JSON API', () => {
  it('GET /api/session describes node, session and handler', async () => {
    const jar = new CookieJar();
    const answer = await call('/api/session', { jar });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.json()).toEqual({
      node: 'web1',
      address: '127.0.1.101',
      port: app.port,
      session_id: jar.get('PHPSESSID'),
      handler: 'files (native)',
      mode: 'sticky',
      color: null,
      counter: 0,
    });
  });

  it('POST /api/session sets the color and answers like GET', async () => {
    const jar = new CookieJar();
    const set = await call('/api/session', { jar, form: { color: 'RebeccaPurple' } });
    expect(set.status).toBe(200);
    expect(set.json<ApiSession>()).toMatchObject({ color: 'rebeccapurple', node: 'web1', session_id: jar.get('PHPSESSID') });
    expect((await call('/api/session', { jar })).json<ApiSession>().color).toBe('rebeccapurple');
  });

  it('POST /api/session takes JSON too, as an API called JSON should', async () => {
    const jar = new CookieJar();
    const set = await call('/api/session', { jar, json: { color: 'Teal' } });
    expect(set.status, set.body).toBe(200);
    expect(set.json<ApiSession>()).toMatchObject({ color: 'teal' });
    expect((await call('/api/session', { jar })).json<ApiSession>().color).toBe('teal');
    // Not an object with a color: the same 400 as a form without one.
    for (const json of [['teal'], { color: ['teal'] }, 'teal']) {
      const answer = await call('/api/session', { json });
      expect(answer.status, JSON.stringify(json)).toBe(400);
      expect(answer.json()).toEqual({ error: expect.stringMatching(/color/) });
    }
  });

  it('POST /api/session with a bad or missing color is a 400 JSON error', async () => {
    for (const form of [{ color: 'blurple' }, {}, { 'color[]': 'red' }] as Array<Record<string, string>>) {
      const answer = await call('/api/session', { form });
      expect(answer.status).toBe(400);
      expect(answer.json()).toEqual({ error: expect.stringMatching(/color/) });
    }
  });

  it('POST /api/session/counter increments a per-session counter', async () => {
    const jar = new CookieJar();
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) counts.push((await call('/api/session/counter', { jar, method: 'POST' })).json<ApiSession>().counter);
    expect(counts).toEqual([1, 2, 3]);
  });

  it('loses no increment with 20 parallel requests on one session (files handler: flock)', async () => {
    const jar = new CookieJar();
    await call('/api/session', { jar });
    const answers = await Promise.all(Array.from({ length: 20 }, () => call('/api/session/counter', { jar, method: 'POST' })));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(answers.map((a) => a.json<ApiSession>().counter).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});

describe('every response says which node served it', () => {
  const routes: Array<[string, string, number, HttpOptions?]> = [
    ['GET', '/', 200],
    ['POST', '/', 303, { form: { color: 'red' } }],
    ['POST', '/', 400, { form: { color: 'nope' } }],
    ['GET', '/api/session', 200],
    ['POST', '/api/session', 400, { form: { color: 'nope' } }],
    ['POST', '/api/session/counter', 200],
    ['GET', '/visitors', 200],
    ['GET', '/visitors?format=json', 200],
    ['GET', '/conntest', 503],
    ['GET', '/conntest?format=json', 503],
    ['GET', '/health', 200],
    ['HEAD', '/health', 200],
    ['HEAD', '/', 200],
    ['GET', '/style.css', 200],
    ['GET', '/no/such/page', 404],
    ['GET', '/lib/settings.php', 404],
    ['GET', '/api/nothing', 404],
    ['DELETE', '/health', 405],
    ['GET', '/api/session/counter', 405],
  ];
  it.each(routes)('%s %s → %i with X-Served-By', async (method, path, status, options) => {
    const answer = await call(path, { method, ...options });
    expect(answer.status).toBe(status);
    expect(answer.headers['x-served-by']).toBe('web1');
    expectNoLeak(answer);
  });

  it('404s under /api are JSON, others are pages', async () => {
    expect((await call('/api/nothing')).json()).toEqual({ error: 'not found', path: '/api/nothing' });
    const page = await call('/nothing');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<strong class="node">web1</strong>');
  });

  it('405 names the allowed methods', async () => {
    expect((await call('/health', { method: 'DELETE' })).headers.allow).toBe('GET, HEAD');
  });
});

describe('/health', () => {
  it('answers "OK <node>" as text, and HEAD with no body', async () => {
    const get = await call('/health');
    expect(get.body).toBe('OK web1\n');
    expect(get.headers['content-type']).toBe('text/plain; charset=utf-8');
    const head = await call('/health', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('stays 200 in db mode while the DB is down, when session pages are 503', async () => {
    await app.writeSettings((s) => ({ ...s, session: { ...s.session, mode: 'db' } }));
    const health = await call('/health');
    expect(health.status).toBe(200);
    expect(health.body).toBe('OK web1\n');

    const page = await call('/');
    expect(page.status).toBe(503);
    expect(page.body).toContain('The session store is unavailable');
    expect(page.body).toMatch(/the session database \(lb-db\) is unavailable: SQLSTATE\[HY000\] \[2002\] Connection refused/);
    expect(page.body).toContain('db (MariaDB via lb-db)');
    expectNoLeak(page);

    const api = await call('/api/session', { form: { color: 'red' } });
    expect(api.status).toBe(503);
    expect(api.json<{ error: string }>().error).toMatch(/lb-db.*Connection refused/);
  });
});

describe('settings file', () => {
  it('is re-read on every request: the session mode switches without a restart', async () => {
    const jar = new CookieJar();
    await call('/api/session', { jar, form: { color: 'orange' } });
    const modes: Array<[string, number, string?]> = [];
    for (const mode of ['none', 'db', 'sticky'] as const) {
      await app.writeSettings((s) => ({ ...s, session: { ...s.session, mode } }));
      const answer = await call('/api/session', { jar });
      modes.push(answer.status === 200 ? [answer.json<ApiSession>().handler, answer.status, answer.json<ApiSession>().color ?? undefined] : [mode, answer.status]);
    }
    // none and sticky share the node-local files, so the color survives; db is another store (down here).
    expect(modes).toEqual([
      ['files (native)', 200, 'orange'],
      ['db', 503],
      ['files (native)', 200, 'orange'],
    ]);
  });

  it('missing: 500 with a clear message, still with X-Served-By', async () => {
    await app.writeSettings(initial);
    await rm(app.settingsPath);
    for (const path of ['/', '/health']) {
      const answer = await call(path);
      expect(answer.status).toBe(500);
      expect(answer.body).toContain(`settings file ${app.settingsPath} is missing or unreadable`);
      expect(answer.headers['x-served-by']).toMatch(/\S/);
      expectNoLeak(answer);
    }
  });

  it('not JSON: 500, JSON error for the API', async () => {
    await app.writeRawSettings('{"cluster": ');
    const answer = await call('/api/session');
    expect(answer.status).toBe(500);
    expect(answer.json<{ error: string }>().error).toMatch(/is not valid JSON/);
  });

  it('invalid: 500 listing every problem', async () => {
    const broken = structuredClone(initial) as unknown as Record<'node' | 'session' | 'db', Record<string, unknown>> & { trusted_proxies: string[] };
    broken.session.mode = 'bogus';
    broken.node.port = 'eighty';
    delete broken.db.host;
    broken.trusted_proxies = ['127.0.0.1', 'not an address!'];
    await app.writeRawSettings(JSON.stringify(broken));
    const answer = await call('/health');
    expect(answer.status).toBe(500);
    for (const issue of [
      'node.port: must be an integer from 1 to 65535',
      'session.mode: must be one of none, sticky, db',
      'db.host: is missing',
      'trusted_proxies[1]: must be an IP address, CIDR range or host name',
    ]) {
      expect(answer.body).toContain(issue);
    }
    expectNoLeak(answer);
  });
});

describe('escaping', () => {
  const hostile = `<script>alert("x")</script>&'`;
  const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&apos;';

  it('escapes a hostile node and cluster name on every page', async () => {
    await app.writeSettings((s) => ({ ...s, cluster: hostile, node: { ...s.node, name: hostile } }));
    for (const path of ['/', '/visitors', '/conntest', '/nowhere']) {
      const page = await call(path);
      expect(page.body, path).not.toContain('<script>');
      expect(page.body, path).toContain(escaped);
      expect(page.headers['x-served-by']).toBe(hostile);
    }
  });

  it('escapes hostile request headers on the connection test page', async () => {
    const page = await call('/conntest', { headers: { 'x-balancer': hostile, 'x-forwarded-for': `${hostile}, 203.0.113.9` } });
    expect(page.body).not.toContain('<script>');
    expect(page.body).toContain(`(X-Balancer: <code>${escaped}</code>)`);
    expect(page.body).toContain(`X-Forwarded-For: <code>${escaped}, 203.0.113.9</code>`);
  });

  it('escapes what a visitor typed when the form is shown again', async () => {
    const page = await call('/', { form: { color: `"><b>bold` } });
    expect(page.status).toBe(400);
    expect(page.body).toContain('value="&quot;&gt;&lt;b&gt;bold"');
    expect(page.body).not.toContain('<b>bold');
  });
});

describe('/conntest without a DB', () => {
  it('says the DB is down, with the error, and still shows the path', async () => {
    const page = await call('/conntest', { headers: { 'x-balancer': 'lb-web', 'x-forwarded-for': '203.0.113.7' } });
    expect(page.status).toBe(503);
    expect(page.body).toContain('The database is DOWN or unreachable');
    expect(page.body).toContain('Connection refused');
    expect(page.body).toContain('<li>Client <code>203.0.113.7</code></li>');
    expect(page.body).toContain('<li>Balancer <code>127.0.0.1</code> (X-Balancer: <code>lb-web</code>)</li>');
    expect(page.body).toContain(`<li>This node <strong>web1</strong> <code>127.0.1.101:${app.port}</code></li>`);
    expectNoLeak(page);
  });

  it('?format=json gives the same facts', async () => {
    const answer = await call('/conntest?format=json', { headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(answer.status).toBe(503);
    expect(answer.json()).toMatchObject({
      node: 'web1',
      client: '203.0.113.7',
      remote_addr: '127.0.0.1',
      via_balancer: true,
      balancer: { address: '127.0.0.1', name: null },
      forwarded_for: ['203.0.113.7'],
      db: { ok: false, endpoint: `127.0.1.101:9`, error: expect.stringContaining('Connection refused') },
    });
  });

  it('a direct client (not a trusted proxy) is the client, whatever it claims', async () => {
    const answer = await call('/conntest?format=json', { localAddress: '127.0.0.5', headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(answer.json()).toMatchObject({ client: '127.0.0.5', via_balancer: false, balancer: null, forwarded_for: ['203.0.113.7'] });
  });
});

describe('a DB that accepts connections but never answers (a frozen node behind lb-db)', () => {
  let silent: Server;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.1.101', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('costs the page a few seconds, not a stuck worker, while /health stays instant', async () => {
    const port = (silent.address() as AddressInfo).port;
    await app.writeSettings((s) => ({ ...s, db: { ...s.db, port } }));
    const started = Date.now();
    const conntest = call('/conntest?format=json');
    // Once its worker is blocked in the DB connect, another php -S worker takes /health.
    // (Sent at the same instant, both could land on the same worker's accept loop.)
    await sleep(300);
    const healthStarted = Date.now();
    const health = await call('/health');
    expect(health.status).toBe(200);
    expect(Date.now() - healthStarted).toBeLessThan(1_000);

    const answer = await conntest;
    expect(answer.status).toBe(503);
    const { db } = answer.json<{ db: { error: string; elapsed_ms: number } }>();
    expect(db.error).toMatch(/SQLSTATE/);
    // Bounded by the app's read timeout (5 s), far below mysqlnd's default of a day.
    expect(db.elapsed_ms).toBeGreaterThan(4_000);
    expect(Date.now() - started).toBeLessThan(8_000);
  });
});

describe('node-local storage that cannot be written', () => {
  // A path below a regular file cannot be created, even by root.
  const blocked = () => `${app.settingsPath}/below-a-file`;

  it('session directory: 503 with the reason, /health still 200', async () => {
    await app.writeSettings((s) => ({ ...s, session: { ...s.session, save_path: blocked() } }));
    const page = await call('/', { form: { color: 'red' } });
    expect(page.status).toBe(503);
    expect(page.body).toContain(`the session directory ${blocked()} is unavailable: cannot create directory ${blocked()}`);
    expectNoLeak(page);
    expect((await call('/health')).status).toBe(200);
  });

  it('data_dir: the change is kept, the visitor is not recorded, and the log says why', async () => {
    await app.writeSettings((s) => ({ ...s, data_dir: blocked() }));
    const jar = new CookieJar();
    const answer = await call('/api/session', { jar, form: { color: 'red' } });
    expect(answer.status).toBe(200);
    expect((await call('/api/session', { jar })).json<ApiSession>().color).toBe('red');
    expect((await call('/visitors?format=json')).json()).toEqual({ node: 'web1', visitors: [] });
    expect(app.log(200)).toContain(`visitor not recorded: cannot create directory ${blocked()}`);
  });
});
