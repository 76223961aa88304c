import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppDb } from '../support/app-settings.js';
import { CookieJar, request, type HttpResponse } from '../support/http.js';
import { startMariaDb, type MariaDb } from '../support/mariadb.js';
import { startPhpApp, type PhpApp } from '../support/php-server.js';

// One MariaDB for the file (it takes seconds to start); the app reaches it over TCP as lb-db would.
let db: MariaDb;
let appDb: AppDb;
let app: PhpApp;

beforeAll(async () => {
  db = await startMariaDb({ host: '127.0.2.101', serverId: 11, reportHost: 'mysql1' });
  appDb = { host: db.host, port: db.port, database: db.database, user: db.user, password: db.password };
  // GC (one request in gc_divisor) never runs on this app: each test sees exactly the rows it made.
  app = await startPhpApp({ host: '127.0.1.111', name: 'web1', mode: 'db', db: appDb, ini: { 'session.gc_divisor': '1000000000' } });
});
afterAll(async () => {
  await app?.stop();
  await db?.stop();
});

interface ApiSession {
  session_id: string;
  handler: string;
  mode: string;
  color: string | null;
  counter: number;
}

const api = async (path: string, jar: CookieJar, method = 'GET'): Promise<ApiSession> => {
  const answer = await request(`${app.url}${path}`, { jar, method });
  expect(answer.status, answer.body).toBe(200);
  return answer.json<ApiSession>();
};

async function sessionRow(id: string): Promise<{ data: string; updated_at: number } | undefined> {
  const rows = await db.query<{ data: Buffer; updated_at: number }>('SELECT data, updated_at FROM hactl.hactl_sessions WHERE id = ?', [id]);
  return rows[0] && { data: rows[0].data.toString('utf8'), updated_at: rows[0].updated_at };
}

describe('DB session handler (MariaDB)', () => {
  it('creates its table on first use, then keeps the color in it', async () => {
    expect(await db.query(`SHOW TABLES FROM hactl LIKE 'hactl_sessions'`)).toHaveLength(0);
    const jar = new CookieJar();
    const posted = await request(`${app.url}/`, { jar, form: { color: 'teal' } });
    expect(posted.status, posted.body).toBe(303);

    const page = await request(`${app.url}/`, { jar });
    expect(page.body).toContain('db (MariaDB via lb-db)');
    expect(page.body).toContain('<span class="swatch" style="background:teal"></span>teal');
    const id = jar.get('PHPSESSID')!;
    expect(page.body).toContain(`<code>${id}</code>`);
    expect((await sessionRow(id))?.data).toBe('color|s:4:"teal";');
  });

  it('refuses a session id that is not in the table (strict mode)', async () => {
    const jar = new CookieJar();
    jar.set('PHPSESSID', 'chosenbytheattacker123456');
    const answer = await api('/api/session', jar);
    expect(answer.session_id).not.toBe('chosenbytheattacker123456');
    expect(await sessionRow('chosenbytheattacker123456')).toBeUndefined();
    expect(await sessionRow(answer.session_id)).toBeDefined();
  });

  it('loses no update with 20 parallel requests on one session', async () => {
    const jar = new CookieJar();
    const { session_id: id } = await api('/api/session', jar);
    const answers = await Promise.all(Array.from({ length: 20 }, () => api('/api/session/counter', jar, 'POST')));
    // Each request saw the previous one's write: the counters seen are exactly 1..20.
    expect(answers.map((a) => a.counter).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(answers.map((a) => a.session_id))).toEqual(new Set([id]));
    expect((await sessionRow(id))?.data).toBe('counter|i:20;');
  });

  it('reads the session only under its row lock: a request waits for a transaction holding it, then sees its change', async () => {
    const jar = new CookieJar();
    const { session_id: id } = await api('/api/session/counter', jar, 'POST');
    const holder = await db.connectRoot();
    try {
      await holder.beginTransaction();
      await holder.query('SELECT data FROM hactl.hactl_sessions WHERE id = ? FOR UPDATE', [id]);
      const pending = request(`${app.url}/api/session/counter`, { jar, method: 'POST' });
      let settled = false;
      void pending.finally(() => (settled = true));
      await sleep(1_000);
      expect(settled, 'the request must wait for the session row lock').toBe(false);
      // A change made under the lock must be what the waiting request reads.
      await holder.query(`UPDATE hactl.hactl_sessions SET data = 'counter|i:100;' WHERE id = ?`, [id]);
      await holder.commit();
      const answer: HttpResponse = await pending;
      expect(answer.status, answer.body).toBe(200);
      expect(answer.json<ApiSession>().counter).toBe(101);
    } finally {
      await holder.end();
    }
  });

  it('garbage-collects expired sessions, and only those', async () => {
    const now = Math.floor(Date.now() / 1000);
    await db.query(`INSERT INTO hactl.hactl_sessions (id, data, updated_at) VALUES ('expired0000000000000000001', 'color|s:3:"red";', ?), ('fresh00000000000000000001', '', ?)`, [now - 100_000, now - 60]);
    // gc_divisor=1: GC runs on every request instead of one in a thousand (Debian's php.ini).
    const gcApp = await startPhpApp({ host: '127.0.1.112', name: 'web2', mode: 'db', db: appDb, ini: { 'session.gc_divisor': '1' } });
    try {
      const jar = new CookieJar();
      const { session_id: id } = await request(`${gcApp.url}/api/session`, { jar }).then((a) => a.json<ApiSession>());
      expect(await sessionRow('expired0000000000000000001')).toBeUndefined();
      expect(await sessionRow('fresh00000000000000000001')).toBeDefined();
      expect(await sessionRow(id)).toBeDefined();
    } finally {
      await gcApp.stop();
    }
  });

  it('does not collect without GC (the control for the test above)', async () => {
    const now = Math.floor(Date.now() / 1000);
    await db.query(`INSERT INTO hactl.hactl_sessions (id, data, updated_at) VALUES ('expired0000000000000000002', '', ?)`, [now - 100_000]);
    await request(`${app.url}/api/session`);
    expect(await sessionRow('expired0000000000000000002')).toBeDefined();
  });

  it('refreshes updated_at when a request leaves the data unchanged (lazy_write)', async () => {
    const jar = new CookieJar();
    const { session_id: id } = await api('/api/session/counter', jar, 'POST');
    await request(`${app.url}/api/session`, { jar, form: { color: 'red' } });
    await db.query('UPDATE hactl.hactl_sessions SET updated_at = 1000 WHERE id = ?', [id]);
    await request(`${app.url}/api/session`, { jar, form: { color: 'red' } });
    const row = await sessionRow(id);
    expect(row?.updated_at).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(row?.data).toBe('counter|i:1;color|s:3:"red";');
  });
});

describe('session mode switch with a real DB', () => {
  it('moves between the files and the DB handler on the next request, no restart', async () => {
    const jar = new CookieJar();
    await app.writeSettings((s) => ({ ...s, session: { ...s.session, mode: 'sticky' } }));
    const inFiles = await request(`${app.url}/api/session`, { jar, form: { color: 'red' } }).then((a) => a.json<ApiSession>());
    expect(inFiles).toMatchObject({ handler: 'files (native)', mode: 'sticky', color: 'red' });
    expect(await sessionRow(inFiles.session_id)).toBeUndefined();

    await app.writeSettings((s) => ({ ...s, session: { ...s.session, mode: 'db' } }));
    // The DB does not know the files session: strict mode starts a new one there.
    const inDb = await request(`${app.url}/api/session`, { jar, form: { color: 'blue' } }).then((a) => a.json<ApiSession>());
    expect(inDb).toMatchObject({ handler: 'db (MariaDB via lb-db)', mode: 'db', color: 'blue' });
    expect(inDb.session_id).not.toBe(inFiles.session_id);
    expect((await sessionRow(inDb.session_id))?.data).toBe('color|s:4:"blue";');

    await app.writeSettings((s) => ({ ...s, session: { ...s.session, mode: 'sticky' } }));
    jar.set('PHPSESSID', inFiles.session_id);
    expect(await api('/api/session', jar)).toMatchObject({ handler: 'files (native)', session_id: inFiles.session_id, color: 'red' });
    await app.writeSettings((s) => ({ ...s, session: { ...s.session, mode: 'db' } }));
  });
});

describe('/conntest with a DB', () => {
  it('shows which DB node answered and the round trip', async () => {
    const answer = await request(`${app.url}/conntest?format=json`);
    expect(answer.status).toBe(200);
    const body = answer.json<{ db: Record<string, unknown> }>();
    expect(body.db).toMatchObject({ ok: true, endpoint: `127.0.2.101:${db.port}`, report_host: 'mysql1', server_id: 11, port: db.port });
    expect(body.db.rtt_ms).toEqual(expect.any(Number));
    expect(body.db.rtt_ms).toBeLessThan(2_000);

    const page = await request(`${app.url}/conntest`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<dt>Answered by</dt><dd><strong>mysql1</strong></dd>');
    expect(page.body).toMatch(/<dt>Round trip<\/dt><dd>[\d.]+ ms \(connect [\d.]+ ms, query [\d.]+ ms\)<\/dd>/);
  });

  it('reports a refused login clearly (503), without the password', async () => {
    await app.writeSettings((s) => ({ ...s, db: { ...s.db, password: 'wrong-password-xyz' } }));
    try {
      const page = await request(`${app.url}/conntest`);
      expect(page.status).toBe(503);
      expect(page.body).toContain('The database is DOWN or unreachable');
      expect(page.body).toContain('Access denied for user');
      expect(page.body).not.toContain('wrong-password-xyz');
      const home = await request(`${app.url}/`);
      expect(home.status).toBe(503);
      expect(home.body).toContain('Access denied for user');
    } finally {
      await app.writeSettings((s) => ({ ...s, db: { ...s.db, password: appDb.password } }));
    }
  });
});
