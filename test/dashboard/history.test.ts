import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, TestCluster } from '../support/cluster.js';
import { startDashboard, type TestDashboard } from '../support/dashboard.js';
import { CookieJar, request } from '../support/http.js';

// The dashboard's history, diff and rollback routes on a running local cluster of
// its own, on 127.0.170.1 (entry points and dashboard), 127.0.171.n (web nodes)
// and 127.0.172.n (the DB node) only.
const cluster = new TestCluster(170, { web: ['web1', 'web2'], db: ['mysql1'] });
const file = join(cluster.dir, 'cluster.yaml');
writeFileSync(file, readFileSync(file, 'utf8').replace('127.0.180.', '127.0.171.').replace('127.0.190.', '127.0.172.'));
const URL_ = `http://${cluster.listen}:19000`;
const yaml = () => readFileSync(file, 'utf8');

interface VersionSummary {
  version: number;
  user: string;
  command: string;
  result: string;
  steps: number;
  running: boolean;
}
interface Diff {
  from: string | null;
  to: string;
  files: { path: string; diff: string }[];
}
type ErrorAnswer = { error: { message: string; fields: Record<string, string> } };

let dashboard: TestDashboard;
const jar = new CookieJar();
let csrf = '';
/** cluster.yaml as hactl up applied it: version 1. */
let applied = '';

// TOKEN null: no X-CSRF-Token header at all.
const call = (method: string, path: string, json?: unknown, token: string | null = csrf) =>
  request(`${URL_}${path}`, { method, json, jar, headers: token === null ? {} : { 'x-csrf-token': token } });
const history = async () => (await call('GET', '/api/history')).json<{ result: VersionSummary[] }>().result;
const diffOf = async (path: string) => {
  const r = await call('GET', path);
  expect(r.status, r.body).toBe(200);
  return r.json<{ result: Diff }>().result;
};
const changed = (d: Diff) => d.files.filter((f) => f.diff !== '').map((f) => f.path);

beforeAll(async () => {
  await cluster.startHealthy();
  applied = yaml();
  dashboard = await startDashboard(cluster);
  const r = await request(`${URL_}/api/login`, { method: 'POST', json: { user: 'admin', password: dashboard.password }, jar });
  expect(r.status, r.body).toBe(200);
  csrf = r.json<{ csrf: string }>().csrf;
  // Version 2: a change from the page, by its user.
  const mode = await call('POST', '/api/session-mode', { mode: 'none' });
  expect(mode.status, mode.body).toBe(200);
}, 120_000);
afterAll(async () => {
  await dashboard?.stop();
  await cluster.destroy();
}, 60_000);

describe('the history from the dashboard', () => {
  it('answers 401 on every history route without a login', async () => {
    for (const [method, path] of [['GET', '/api/history'], ['GET', '/api/history/1/diff'], ['GET', '/api/rollback?version=1'], ['POST', '/api/rollback']] as const) {
      const r = await request(`${URL_}${path}`, { method, json: method === 'POST' ? { version: 1 } : undefined });
      expect(r.status, `${method} ${path}`).toBe(401);
    }
  });

  it('lists every version: who, what, how it ended, the running one marked', async () => {
    const rows = await history();
    expect(rows.map((r) => [r.version, r.command, r.result, r.running])).toEqual([
      [1, 'hactl up', 'applied', false],
      [2, 'dashboard: session mode', 'applied', true],
    ]);
    expect(rows[1]!.user).toBe('admin');
    expect(rows[0]!.steps).toBeGreaterThan(0);
  });

  it('diffs what a version changed against the one before it, a version against cluster.yaml now, and says the oldest has nothing before it', async () => {
    const two = await diffOf('/api/history/2/diff');
    expect([two.from, two.to]).toEqual(['version 1', 'version 2']);
    // cluster.yaml and lb-web's config changed; files without a change are there, with no diff.
    expect(changed(two)).toEqual(expect.arrayContaining(['cluster.yaml', 'lb-web/haproxy.cfg']));
    expect(two.files.length).toBeGreaterThan(changed(two).length);
    expect(two.files.find((f) => f.path === 'cluster.yaml')!.diff).toMatch(/^--- version 1\/cluster\.yaml\n\+\+\+ version 2\/cluster\.yaml\n@@ [^\n]* @@\n(.*\n)*-session_mode: sticky\n\+session_mode: none\n/);

    expect(await diffOf('/api/history/1/diff')).toEqual({ from: null, to: 'version 1', files: [] });

    const now = await diffOf('/api/history/1/diff?against=now');
    expect([now.from, now.to]).toEqual(['version 1', 'cluster.yaml now']);
    expect(changed(now)).toContain('cluster.yaml');
    expect(changed(await diffOf('/api/history/2/diff?against=now'))).toEqual([]);
  });

  it('refuses a version that is not a whole number, one it does not hold, and an unknown "against", with 400 naming them', async () => {
    const cases: [string, RegExp][] = [
      ['/api/history/abc/diff', /^version: "abc" is not a whole number from 1 to 999999999$/],
      ['/api/history/0/diff', /^version: "0" is not a whole number/],
      ['/api/history/99/diff', /^there is no version 99: the history holds 1 to 2$/],
      ['/api/history/2/diff?against=yesterday', /^against: "yesterday" is not now/],
    ];
    for (const [path, message] of cases) {
      const r = await call('GET', path);
      expect(r.status, `${path}: ${r.body}`).toBe(400);
      expect(r.json<ErrorAnswer>().error.message).toMatch(message);
    }
  });

  it('shows a rollback plan (a dry run) and changes nothing', async () => {
    const before = { yaml: yaml(), versions: await history() };
    const r = await call('GET', '/api/rollback?version=1');
    expect(r.status, r.body).toBe(200);
    const { result } = r.json<{ result: { dry_run: boolean; version: number; actions: unknown[]; steps: { on: string; what: string; why: string }[] } }>();
    expect(result).toMatchObject({ dry_run: true, version: 1 });
    expect(result.steps).toHaveLength(result.actions.length);
    // Sticky sessions again: lb-web is reloaded with version 1's config.
    expect(result.steps).toContainEqual({ on: 'lb-web', what: 'reload (hitless)', why: expect.any(String) });
    expect(yaml()).toBe(before.yaml);
    expect(await history()).toEqual(before.versions);
    expect((await call('GET', '/api/rollback')).json<ErrorAnswer>().error.message).toBe('version: required');
  });

  it('refuses a rollback without its CSRF token (403), and one of a bad version (400, naming it), changing nothing', async () => {
    const before = { yaml: yaml(), versions: await history() };
    for (const token of [null, '', `${csrf}x`]) {
      expect((await call('POST', '/api/rollback', { version: 1 }, token)).status, JSON.stringify(token)).toBe(403);
    }
    const cases: [unknown, RegExp][] = [
      [{ version: 99 }, /^there is no version 99: the history holds 1 to 2$/],
      [{ version: '1' }, /^version: "1" is not a number$/],
      [{ version: 1.5 }, /^version: 1\.5 is not a whole number/],
      [{}, /^version: required$/],
      [{ version: 1, force: true }, /^force: not a field of this form/],
    ];
    for (const [json, message] of cases) {
      const r = await call('POST', '/api/rollback', json);
      expect(r.status, `${JSON.stringify(json)}: ${r.body}`).toBe(400);
      expect(r.json<ErrorAnswer>().error.message).toMatch(message);
    }
    expect(yaml()).toBe(before.yaml);
    // A refused input is refused before anything is applied: nothing is recorded.
    expect(await history()).toEqual(before.versions);
  });

  it('rolls back to version 1: cluster.yaml is its text again and runs, recorded as a new version by the dashboard user', async () => {
    const r = await call('POST', '/api/rollback', { version: 1 });
    expect(r.status, r.body).toBe(200);
    expect(r.json<{ op: string; result: { version: number } }>()).toMatchObject({ op: 'rollback to version 1', result: { version: 1 } });
    expect(yaml()).toBe(applied);
    const last = (await history()).at(-1)!;
    expect(last).toMatchObject({ version: 3, user: 'admin', command: 'dashboard: rollback to version 1', result: 'applied', running: true });
    const status = () => call('GET', '/api/status').then((s) => s.json<{ session_mode: string; health: string }>());
    expect((await status()).session_mode).toBe('sticky');
    await eventually('a healthy cluster', async () => (await status()).health === 'healthy');
  });
});
