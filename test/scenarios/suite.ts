import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar, request } from '../support/http.js';
import { eventually, sleep, type TestCluster } from '../support/cluster.js';

/**
 * The seeds' scenarios, one suite for every runtime: round robin, sticky
 * sessions with failover, stickiness on the session cookie alone, DB writes
 * through lb-db replicated both ways and surviving the active master's
 * death, DB sessions surviving a web node's death. Each runtime's file
 * gives it a cluster of its own; the suite drives it only through hactl,
 * HTTP on the published entry points and the DB nodes' sockets.
 */
export function scenarioSuite(cluster: TestCluster, startTimeoutMs: number): void {
  beforeAll(() => cluster.startHealthy(), startTimeoutMs);
  afterAll(() => cluster.destroy(), 120_000);
  scenarios(cluster);
}

/** The scenarios alone, on a CLUSTER already up (a second engine on the same containers, say). */
export function scenarios(cluster: TestCluster): void {
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

  const healthy = () => eventually('a healthy cluster', async () => (await cluster.hactl('status')).code === 0, 30_000);
  /**
   * Apache on compose: the first request that meets a killed container's name may fail. Docker's
   * DNS forgets a stopped container's name, and mod_proxy answers a DNS lookup failure 500, a
   * status it never fails over on (it only puts the member in error, for the requests after it:
   * docs/engines.md). Every other engine and runtime fails over at once.
   */
  async function afterKill(jar: CookieJar): Promise<void> {
    if (cluster.engine !== 'apache' || cluster.runtime !== 'compose') return;
    const res = await request(`${cluster.url}/api/session`, { jar });
    if (res.status !== 200) expect(`${res.status} ${res.body}`).toMatch(/^500 .*Proxy Error/s);
  }

  // The rows each run writes, told apart from an earlier run's on the same cluster (another engine's).
  const run = Date.now().toString(36);

  describe('round robin (scenario 1)', () => {
    it('alternates between the two web nodes for clients without cookies', async () => {
      const served = [];
      for (let i = 0; i < 6; i++) served.push(String((await request(`${cluster.url}/health`)).headers['x-served-by']));
      expect(new Set(served)).toEqual(new Set(['web1', 'web2']));
      for (let i = 1; i < served.length; i++) expect(served[i]).not.toBe(served[i - 1]);
    });
  });

  describe('sticky sessions (scenario 2)', () => {
    it('keep a client with a cookie jar on one node; when it dies the client moves on and the site keeps answering', async () => {
      const jar = new CookieJar();
      const first = await session(jar, 'teal');
      expect(jar.get(cluster.stickyCookie.name)).toMatch(cluster.stickyCookie.value);
      for (let i = 0; i < 10; i++) {
        const again = await session(jar);
        expect(again.servedBy).toBe(first.servedBy);
        expect(again.color).toBe('teal');
      }
      const other = first.servedBy === 'web1' ? 'web2' : 'web1';
      await cluster.kill(first.servedBy);
      await afterKill(jar);
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
      const back = await cluster.hactl('up', '--json');
      expect(back.code, `${back.stderr}\n${(await cluster.hactl('status')).stdout}`).toBe(0);
    }, 60_000);
  });

  describe('sticky on the session cookie alone (scenario 3)', () => {
    it('keeps a client that presents only PHPSESSID on one node (HAProxy: its stick table; Apache: the route on the cookie)', async () => {
      await healthy();
      const jar = new CookieJar();
      const res = await request(`${cluster.url}/api/session`, { jar });
      const sid = jar.get('PHPSESSID');
      expect(sid).toBeTruthy();
      const node = String(res.headers['x-served-by']);
      for (let i = 0; i < 10; i++) {
        // Like `curl --cookie "PHPSESSID=..."`: the balancer's own cookie dropped.
        const again = await session(undefined, undefined, { cookie: `PHPSESSID=${sid}` });
        expect(again.servedBy).toBe(node);
        // Apache's lb-web carries the node's route on the cookie ("<id>-S1") and hands the app its own id.
        expect(again.session_id).toBe(cluster.engine === 'apache' ? sid!.replace(/-S\d+$/, '') : sid);
      }
    }, 60_000);
  });

  describe('the DB tier (scenario 4)', () => {
    it('replicates both ways: a row written directly on mysql2 appears on mysql1', async () => {
      const m2 = await cluster.root('mysql2');
      await m2.query('CREATE TABLE IF NOT EXISTS s4 (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40), at_node VARCHAR(20))');
      await m2.query('INSERT INTO s4 (v, at_node) VALUES (?, @@report_host)', [`${run}-direct-on-mysql2`]);
      await m2.end();
      const m1 = await cluster.root('mysql1');
      const rows = await eventually('the row on mysql1', async () => {
        const [r] = (await m1.query('SELECT at_node FROM s4 WHERE v = ?', [`${run}-direct-on-mysql2`])) as [{ at_node: string }[], unknown];
        return r.length ? r : undefined;
      });
      await m1.end();
      expect(rows).toEqual([{ at_node: 'mysql2' }]);
    });

    it('goes on writing through lb-db when the active master dies, and the master catches up when it is back', async () => {
      const write = async (v: string) => {
        const app = await cluster.app();
        try {
          await app.query('INSERT INTO s4 (v, at_node) VALUES (?, @@report_host)', [`${run}-${v}`]);
        } finally {
          await app.end();
        }
      };
      await write('before-kill');
      await cluster.kill('mysql1');
      const t0 = Date.now();
      await eventually('a write through lb-db to succeed', async () => {
        await write('after-kill');
        return true;
      }, 15_000);
      expect((Date.now() - t0) / 1000).toBeLessThan(10);
      for (let i = 0; i < 5; i++) await write(`during-${i}`);
      const app = await cluster.app();
      const [[who]] = (await app.query('SELECT @@report_host AS node')) as [{ node: string }[], unknown];
      await app.end();
      expect(who!.node).toBe('mysql2');

      const back = await cluster.hactl('up', '--json');
      expect(back.code, `${back.stderr}\n${(await cluster.hactl('status')).stdout}`).toBe(0);
      const rowsOn = async (node: string) => {
        const c = await cluster.root(node);
        const [rows] = (await c.query('SELECT id, v, at_node FROM s4 ORDER BY id')) as [unknown[], unknown];
        await c.end();
        return JSON.stringify(rows);
      };
      // Both sides move: mysql1 catches up with what mysql2 took while it was down,
      // and mysql2 may get 'before-kill' only now (mysql1 died before sending it).
      // So both are read afresh on every try.
      await eventually('both masters holding every row (GTID)', async () => {
        const [m1, m2] = [await rowsOn('mysql1'), await rowsOn('mysql2')];
        return m1 === m2 && m1.includes(`${run}-before-kill`) && m1.includes(`${run}-during-4`);
      }, 15_000).catch(async (e) => {
        throw new Error(`${(e as Error).message}\nmysql1: ${await rowsOn('mysql1')}\nmysql2: ${await rowsOn('mysql2')}\n${(await cluster.hactl('status')).stdout}`);
      });

      // No early fail-back: mysql1 is back as a read-only backup, and writes stay on mysql2.
      for (let i = 0; i < 5; i++) {
        await write(`after-up-${i}`);
        const c = await cluster.app();
        const [[now]] = (await c.query('SELECT @@report_host AS node')) as [{ node: string }[], unknown];
        await c.end();
        expect(now!.node).toBe('mysql2');
      }
      const roles = async () =>
        (JSON.parse((await cluster.hactl('status', '--json')).stdout).nodes as { type: string; name: string; role: string; read_only: boolean }[])
          .filter((n) => n.type === 'db')
          .map((n) => [n.name, n.role, n.read_only]);
      await eventually('mysql1 a read-only backup, mysql2 the writable active master', async () => JSON.stringify(await roles()) === JSON.stringify([['mysql1', 'backup', true], ['mysql2', 'active', false]]), 10_000);
      // Back as it was, for what follows: a planned switchover.
      await eventually('a switchover back to mysql1 (once its agent says it has caught up)', async () => (await cluster.hactl('switchover', 'mysql1')).code === 0, 20_000);
      expect(await roles()).toEqual([['mysql1', 'active', false], ['mysql2', 'backup', true]]);
    }, 90_000);
  });

  describe('DB sessions (scenario 5)', () => {
    it('a colour set through one node is read through the other, and survives that node\'s death', async () => {
      const db = await cluster.hactl('session-mode', 'db');
      expect(db.code, `${db.stderr}\n${(await cluster.hactl('status')).stdout}`).toBe(0);
      await healthy();
      const jar = new CookieJar();
      const set = await session(jar, 'olive');
      expect(jar.get(cluster.stickyCookie.name)).toBeUndefined();
      const read = await session(jar);
      // Round robin: the next request goes to the other node, which reads the session from MariaDB.
      expect(read.servedBy).not.toBe(set.servedBy);
      expect(read.color).toBe('olive');
      await cluster.kill(set.servedBy);
      await afterKill(jar);
      for (let i = 0; i < 6; i++) {
        const after = await session(jar);
        expect(after.servedBy).not.toBe(set.servedBy);
        expect(after.color).toBe('olive');
      }
    }, 60_000);
  });
}
