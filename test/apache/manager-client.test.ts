import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagerClient } from '../../src/apache/manager-client.js';
import type { ServerAction } from '../../src/plan/action.js';
import { renderCluster } from '../../src/render/index.js';
import { localLayout } from '../../src/render/layout.js';
import { loadTemplateSources } from '../../src/render/templates.js';
import { wrap } from '../../src/secrets/store.js';
import { checkClusterText } from '../../src/spec/check.js';
import { eventually } from '../support/cluster.js';
import { startPhpApp, type PhpApp } from '../support/php-server.js';
import { startDaemon, type Daemon } from '../support/process-group.js';

// A real Apache running the apache engine's rendered lb-web config, in front of two app
// nodes (loopback addresses 127.0.236.1, 127.0.237.x only), driven through balancer-manager.
const LISTEN = '127.0.236.1';
const STATS = `${LISTEN}:18404`;
const PASSWORD = 'manager-test-stats';
let apache: Daemon;
let dir: string;
const nodes: PhpApp[] = [];

beforeAll(async () => {
  for (const n of [1, 2]) nodes.push(await startPhpApp({ host: `127.0.237.${n}`, port: 8000, name: `web${n}` }));
  dir = mkdtempSync(join(tmpdir(), 'hactl-apache-manager-'));
  const { cluster } = checkClusterText(`name: am\nbalancer: {engine: apache}\nlisten: ${LISTEN}\nports: {http: 18080, stats: 18404}\ndefaults: {web: {host: "127.0.237.{n}"}, db: {host: "127.0.238.{n}"}}\nweb: [web1, web2]\ndb: [mysql1]\n`);
  const secrets = wrap({ db_root_password: 'a', replication_password: 'b', app_password: 'c', stats_password: PASSWORD, dashboard_password: 'e', redis_password: 'f' });
  const layout = localLayout(join(dir, '.hactl'));
  for (const f of renderCluster(cluster, secrets, { runtime: 'local', layout, composeDir: '/unused' }, loadTemplateSources()).filter((f) => f.path.startsWith('lb-web/'))) {
    const path = join(layout.apache().configDir, f.path.slice('lb-web/'.length));
    mkdirSync(layout.apache().configDir, { recursive: true });
    writeFileSync(path, f.content, { mode: f.mode });
  }
  // The folders stay private (mkdtemp's 0700): Apache's children open nothing in them.
  mkdirSync(layout.apache().runDir, { recursive: true });
  apache = startDaemon('/usr/sbin/apache2', ['-DFOREGROUND', '-f', join(layout.apache().configDir, 'httpd.conf')], { logFile: join(dir, 'apache.log') });
  const client = new ManagerClient(STATS, 'admin', PASSWORD);
  let last: unknown;
  await eventually('both members checked and usable', async () => (await client.balancer().catch((err: unknown) => ((last = err), undefined)))?.members.every((m) => m.flags.includes('Ok')), 15_000).catch((err: Error) => {
    throw new Error(`${err.message} (last: ${String(last)}); apache's log:\n${apache.log()}`);
  });
}, 60_000);
afterAll(async () => {
  await apache?.stop();
  for (const n of nodes) await n.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const state = (server: string, s: 'ready' | 'drain' | 'maint'): ServerAction => ({ kind: 'set-server-state', lb: 'lb-web', backend: 'web', server, state: s, reason: 'test' });
const weight = (server: string, w: number): ServerAction => ({ kind: 'set-server-weight', lb: 'lb-web', backend: 'web', server, weight: w, reason: 'test' });

describe('the apache engine through balancer-manager', () => {
  const client = () => new ManagerClient(STATS, 'admin', PASSWORD);

  it('reads the balancer: both members by route, their loadfactor from the weight, a nonce', async () => {
    const b = await client().balancer();
    expect(b.members.map((m) => [m.route, m.loadfactor])).toEqual([
      ['S1', 100],
      ['S2', 100],
    ]);
    expect(b.nonce).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('drains, disables, enables and weighs a member, each read back from the manager', async () => {
    expect((await client().apply(state('web1', 'drain'), 'S1')).flags).toContain('Drn');
    const maint = await client().apply(state('web1', 'maint'), 'S1');
    expect(maint.flags).toContain('Dis');
    expect(maint.flags).not.toContain('Drn');
    const ready = await client().apply(state('web1', 'ready'), 'S1');
    expect(ready.flags.filter((f) => f === 'Dis' || f === 'Drn')).toEqual([]);
    expect((await client().apply(weight('web2', 50), 'S2')).loadfactor).toBe(50);
    expect((await client().apply(weight('web2', 100), 'S2')).loadfactor).toBe(100);
    await client().apply(state('web2', 'ready'), 'S2');
  });

  it('refuses what it cannot do: a wrong login, a route it does not have', async () => {
    await expect(new ManagerClient(STATS, 'admin', 'wrong').balancer()).rejects.toThrow(/answered 401/);
    await expect(client().apply(state('web9', 'drain'), 'S9')).rejects.toThrow(/no member with route S9/);
  });
});
