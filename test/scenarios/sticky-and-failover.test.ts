import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readState } from '../../src/drivers/local/state.js';
import { CookieJar, request } from '../support/http.js';
import { eventually, sleep, TestCluster } from '../support/cluster.js';

// The seeds' scenarios 2, 3, 4 and the first half of 5, on a running
// sticky-mode cluster of the local runtime.
const cluster = new TestCluster(7, { sessionMode: 'sticky' });
const kill = (name: string) => process.kill(-readState(join(cluster.dir, '.hactl'))[name]!.pid, 'SIGKILL');

interface SessionAnswer {
  node: string;
  session_id: string;
  color: string | null;
}

async function session(jar: CookieJar | undefined, color?: string, headers: Record<string, string> = {}) {
  const res = await request(`${cluster.url}/api/session`, {
    method: color ? 'POST' : 'GET',
    ...(color ? { form: { color } } : {}),
    ...(jar ? { jar } : {}),
    headers,
  });
  expect(res.status, res.body).toBe(200);
  return { ...res.json<SessionAnswer>(), servedBy: String(res.headers['x-served-by']) };
}

beforeAll(() => cluster.startHealthy(), 120_000);
afterAll(() => cluster.destroy(), 60_000);

describe('sticky sessions (scenario 2)', () => {
  it('keep a client with a cookie jar on one node; when it dies the client moves on and the site keeps answering', async () => {
    const jar = new CookieJar();
    const first = await session(jar, 'teal');
    expect(jar.get('SERVERID')).toMatch(/^S[12]$/);
    for (let i = 0; i < 10; i++) {
      const again = await session(jar);
      expect(again.servedBy).toBe(first.servedBy);
      expect(again.color).toBe('teal');
    }
    const other = first.servedBy === 'web1' ? 'web2' : 'web1';
    kill(first.servedBy);
    const t0 = Date.now();
    // Every request in the window succeeds (retries + redispatch), and lands on the other node.
    let moved: Awaited<ReturnType<typeof session>> | undefined;
    while (Date.now() - t0 < 3000) {
      moved = await session(jar);
      expect(moved.servedBy).toBe(other);
      if (Date.now() - t0 > 1000) break;
      await sleep(50);
    }
    // Native (files) sessions live on the dead node: the colour is gone (scenario 5, first half).
    expect(moved!.color).toBeNull();
    expect((await cluster.hactl('up', '--json')).code).toBe(0);
  }, 30_000);
});

describe('sticky on the session cookie alone (scenario 3)', () => {
  it('keeps a client that presents only PHPSESSID on one node, through the stick table', async () => {
    await eventually('both web nodes UP', async () => (await cluster.hactl('status')).code === 0);
    const first = await session(undefined, 'plum');
    const jar = new CookieJar();
    const res = await request(`${cluster.url}/api/session`, { jar });
    const sid = jar.get('PHPSESSID');
    expect(sid).toBeTruthy();
    const node = String(res.headers['x-served-by']);
    expect(first.servedBy).toMatch(/^web[12]$/);
    for (let i = 0; i < 10; i++) {
      // Like `curl --cookie "PHPSESSID=..."`: the balancer's own cookie dropped.
      const again = await session(undefined, undefined, { cookie: `PHPSESSID=${sid}` });
      expect(again.servedBy).toBe(node);
      expect(again.session_id).toBe(sid);
    }
  });
});

describe('the DB tier (scenario 4)', () => {
  it('replicates both ways: a row written directly on mysql2 appears on mysql1', async () => {
    const m2 = await cluster.root('mysql2');
    await m2.query('CREATE TABLE IF NOT EXISTS s4 (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40), at_node VARCHAR(20))');
    await m2.query("INSERT INTO s4 (v, at_node) VALUES ('direct-on-mysql2', @@report_host)");
    await m2.end();
    const m1 = await cluster.root('mysql1');
    const rows = await eventually('the row on mysql1', async () => {
      const [r] = (await m1.query("SELECT at_node FROM s4 WHERE v = 'direct-on-mysql2'")) as [{ at_node: string }[], unknown];
      return r.length ? r : undefined;
    });
    await m1.end();
    expect(rows).toEqual([{ at_node: 'mysql2' }]);
  });

  it('goes on writing through lb-db when the active master dies, and the master catches up when it is back', async () => {
    const write = async (v: string) => {
      const app = await cluster.app();
      try {
        await app.query('INSERT INTO s4 (v, at_node) VALUES (?, @@report_host)', [v]);
      } finally {
        await app.end();
      }
    };
    await write('before-kill');
    kill('mysql1');
    const t0 = Date.now();
    await eventually('a write through lb-db to succeed', async () => {
      await write('after-kill');
      return true;
    }, 15_000);
    const failoverSeconds = (Date.now() - t0) / 1000;
    expect(failoverSeconds).toBeLessThan(10);
    for (let i = 0; i < 5; i++) await write(`during-${i}`);
    const app = await cluster.app();
    const [[who]] = (await app.query('SELECT @@report_host AS node')) as [{ node: string }[], unknown];
    await app.end();
    expect(who!.node).toBe('mysql2');

    expect((await cluster.hactl('up', '--json')).code).toBe(0);
    const checksum = async (node: string) => {
      const c = await cluster.root(node);
      const [rows] = (await c.query('SELECT id, v, at_node FROM s4 ORDER BY id')) as [unknown[], unknown];
      await c.end();
      return JSON.stringify(rows);
    };
    const onMysql2 = await checksum('mysql2');
    expect(onMysql2).toContain('during-4');
    const caughtUp = await eventually('mysql1 to catch up (GTID)', async () => (await checksum('mysql1')) === onMysql2, 15_000).catch(async (e) => {
      throw new Error(`${(e as Error).message}\nmysql1: ${await checksum('mysql1')}\nmysql2: ${onMysql2}\n${(await cluster.hactl('status')).stdout}`);
    });
    expect(caughtUp).toBe(true);
  }, 60_000);
});
