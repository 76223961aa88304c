import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readState } from '../../src/drivers/local/state.js';
import { socketCommand } from '../../src/haproxy/socket-cli.js';
import { parseShowStat } from '../../src/haproxy/stat.js';
import type { Version } from '../../src/history/store.js';
import { startLoad } from '../support/load.js';
import { eventually, MAIN, TestCluster } from '../support/cluster.js';

// A failure at each step of an apply (HACTL_FAILPOINT, src/util/failpoint.ts)
// on a running local cluster (127.0.181.1, 127.0.191.x, 127.0.201.x), under
// steady traffic: what served before serves on, on disk and in the
// balancers, and the failure is recorded with its step.
const cluster = new TestCluster(181);
const state = join(cluster.dir, '.hactl');
const yamlFile = join(cluster.dir, 'cluster.yaml');
const configs = () => Object.fromEntries(['lb-web/haproxy.cfg', 'lb-db/haproxy.cfg', 'web1/app.json'].map((f) => [f, readFileSync(join(state, 'config', f), 'utf8')]));
const pids = () => Object.fromEntries(Object.entries(readState(state)).map(([name, s]) => [name, s.pid]));
const lbWebServers = async () =>
  parseShowStat(await socketCommand(join(state, 'run/lb-web.sock'), 'show stat'))
    .filter((r) => r.pxname === 'web' && r.type === '2')
    .map((r) => r.svname)
    .sort();
const lastVersion = (): Version => {
  const last = readdirSync(join(state, 'history')).sort().at(-1)!;
  return JSON.parse(readFileSync(join(state, 'history', last), 'utf8')) as Version;
};

async function failingAt(step: string, ...args: string[]) {
  const r = await execa('node', [MAIN, ...args], { cwd: cluster.dir, reject: false, env: { NO_COLOR: '1', HACTL_FAILPOINT: step } });
  return { code: r.exitCode ?? 1, stderr: String(r.stderr) };
}

beforeAll(() => cluster.startHealthy(), 120_000);
afterAll(() => cluster.destroy(), 60_000);

describe('a failed apply leaves what served', () => {
  it.each(['check', 'write', 'start'])('a hand edit whose up fails at %s: the running configs stay on disk, nothing running is touched, the failure is recorded', async (step) => {
    const original = readFileSync(yamlFile, 'utf8');
    const before = { configs: configs(), pids: pids(), servers: await lbWebServers() };
    writeFileSync(yamlFile, original.replace('web: [web1, web2]', 'web: [web1, web2, web3]'));
    try {
      const load = startLoad(cluster.url, { keepAlive: 2, fresh: 2 });
      const r = await failingAt(step, 'up');
      const traffic = await load.stop();
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`${step === 'check' ? 'haproxy -c rejected' : `${step} failed`}`);
      expect(r.stderr).toMatch(/version \d+ (is back on disk and in the balancers|serves as before)/);
      expect(configs()).toEqual(before.configs);
      expect(pids()).toEqual(before.pids);
      expect(await lbWebServers()).toEqual(before.servers);
      expect(traffic.failures).toEqual([]);
      const v = lastVersion();
      expect(v).toMatchObject({ result: 'failed', command: 'hactl up', error: expect.stringContaining(step === 'check' ? 'rejected' : `${step} failed`) });
      expect(v.step).toBeTruthy();
      expect(v.cluster_yaml).toContain('web3');
      const status = JSON.parse((await cluster.hactl('status', '--json')).stdout) as { history: { cluster_yaml_changed: boolean; files_changed: string[] } };
      expect(status.history).toMatchObject({ cluster_yaml_changed: true, files_changed: [] });
    } finally {
      writeFileSync(yamlFile, original);
    }
  }, 60_000);

  it('a hand edit whose web nodes never pass their new check (health.path: /nope): the node whose restart failed runs again with what served, every node UP, 0 failed requests', async () => {
    const original = readFileSync(yamlFile, 'utf8');
    const before = configs();
    writeFileSync(yamlFile, `${original}health: {path: /nope}\n`);
    try {
      const load = startLoad(cluster.url, { keepAlive: 2, fresh: 2 });
      const r = await cluster.hactl('up');
      const traffic = await load.stop();
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/did not start[\s\S]*version \d+ is back on disk and in the balancers/);
      expect(configs()).toEqual(before);
      expect(traffic.failures).toEqual([]);
      expect(lastVersion().restored).toMatch(/is back on disk/);
      await eventually('every node UP again', async () => {
        const s = JSON.parse((await cluster.hactl('status', '--json')).stdout) as { nodes: { name: string; status: string }[] };
        return s.nodes.every((n) => n.status === 'UP');
      }, 15_000);
    } finally {
      writeFileSync(yamlFile, original);
    }
  }, 120_000);

  it('add web whose lb-web reload fails after it reloaded: lb-web runs the old config again, the new node is stopped, cluster.yaml unchanged', async () => {
    const yaml = readFileSync(yamlFile, 'utf8');
    const before = { configs: configs(), servers: await lbWebServers() };
    const load = startLoad(cluster.url, { keepAlive: 2, fresh: 2 });
    const r = await failingAt('reload', 'add', 'web', 'web3');
    const traffic = await load.stop();
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/reload failed[\s\S]*version \d+ is back on disk and in the balancers/);
    expect(readFileSync(yamlFile, 'utf8')).toBe(yaml);
    expect(configs()).toEqual(before.configs);
    expect(await lbWebServers()).toEqual(before.servers);
    expect(readState(state).web3).toBeUndefined();
    expect(traffic.failures).toEqual([]);
    expect(lastVersion()).toMatchObject({ result: 'failed', command: 'hactl add web web3', step: 'web3: start; lb-web: reload (hitless)', restored: expect.stringMatching(/is back on disk/) });
  }, 60_000);

  it('add db whose clone fails: lb-db keeps its config, the new node does not run, the masters do not replicate from it', async () => {
    const before = configs()['lb-db/haproxy.cfg'];
    const r = await failingAt('clone', 'add', 'db', 'mysql3');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('clone failed');
    expect(configs()['lb-db/haproxy.cfg']).toBe(before);
    expect(readState(state).mysql3).toBeUndefined();
    const root = await cluster.root('mysql1');
    try {
      const [rows] = await root.query('SHOW ALL SLAVES STATUS');
      expect((rows as { Connection_name: string }[]).map((c) => c.Connection_name)).toEqual(['mysql2']);
    } finally {
      await root.end();
    }
    expect(lastVersion()).toMatchObject({ result: 'failed', command: 'hactl add db mysql3' });
    await cluster.hactl('clean');
  }, 120_000);

  it('drain is recorded as a version, and lb-web’s config on disk says it (no reload)', async () => {
    const r = await cluster.hactl('drain', 'web2');
    expect(r.code, r.stderr).toBe(0);
    expect(lastVersion()).toMatchObject({ result: 'applied', command: 'hactl drain web2', plan: ['config: write lb-web/haproxy.cfg', 'lb-web: set server web/web2 state drain'] });
    expect((await cluster.hactl('enable', 'web2')).code).toBe(0);
    const history = JSON.parse((await cluster.hactl('history', '--json')).stdout) as { command: string; running: boolean }[];
    expect(history.at(-1)).toMatchObject({ command: 'hactl enable web2', running: true });
  });
});
