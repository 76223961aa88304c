import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readState } from '../../src/drivers/local/state.js';
import { TestCluster } from '../support/cluster.js';
import { CookieJar, request } from '../support/http.js';

// The seeds' scenario 5, second half: session mode db set in cluster.yaml before up.
const cluster = new TestCluster(6, { sessionMode: 'db' });

beforeAll(() => cluster.startHealthy(), 120_000);
afterAll(() => cluster.destroy(), 60_000);

async function session(jar: CookieJar, color?: string) {
  const res = await request(`${cluster.url}/api/session`, { method: color ? 'POST' : 'GET', ...(color ? { form: { color } } : {}), jar });
  expect(res.status, res.body).toBe(200);
  return { ...res.json<{ color: string | null; handler: string }>(), servedBy: String(res.headers['x-served-by']) };
}

describe('DB sessions (scenario 5)', () => {
  it('a colour set through one node is read through the other, and survives that node\'s death', async () => {
    const jar = new CookieJar();
    const set = await session(jar, 'olive');
    expect(jar.get('SERVERID')).toBeUndefined();
    const read = await session(jar);
    // Round robin: the next request goes to the other node, which reads the session from MariaDB.
    expect(read.servedBy).not.toBe(set.servedBy);
    expect(read.color).toBe('olive');
    process.kill(-readState(join(cluster.dir, '.hactl'))[set.servedBy]!.pid, 'SIGKILL');
    for (let i = 0; i < 6; i++) {
      const after = await session(jar);
      expect(after.servedBy).not.toBe(set.servedBy);
      expect(after.color).toBe('olive');
    }
  }, 30_000);
});
