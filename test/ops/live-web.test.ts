import { tempDir } from '../support/temp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { readState } from '../../src/drivers/local/state.js';
import { groupAlive } from '../../src/drivers/local/supervisor.js';
import { masterCommand, socketCommand } from '../../src/haproxy/socket-cli.js';
import { parseShowStat } from '../../src/haproxy/stat.js';
import { CookieJar, request } from '../support/http.js';
import { startLoad } from '../support/load.js';
import { eventually, MAIN, TestCluster } from '../support/cluster.js';

// The web tier's live operations on a running local cluster (addresses
// 127.0.2.1, 127.0.12.x, 127.0.22.x only), each under steady traffic.
const cluster = new TestCluster(2, { sessionMode: 'sticky' });
const yamlFile = () => join(cluster.dir, 'cluster.yaml');
const yaml = () => readFileSync(yamlFile(), 'utf8');
const admin = (command: string) => socketCommand(join(cluster.dir, '.hactl/run/lb-web.sock'), command);
const master = (command: string) => masterCommand(join(cluster.dir, '.hactl/run/lb-web.master.sock'), command);
const servers = async () => new Map(parseShowStat(await admin('show stat')).filter((r) => r.pxname === 'web' && r.type === '2').map((r) => [r.svname!, r]));
const pidOf = (name: string) => readState(join(cluster.dir, '.hactl'))[name]?.pid;

async function under<T>(op: () => Promise<T>, loadOptions: Parameters<typeof startLoad>[1] = { keepAlive: 3, fresh: 3 }): Promise<{ value: T; requests: number; failures: string[]; servedBy: Map<string, number> }> {
  const load = startLoad(cluster.url, loadOptions);
  await new Promise((r) => setTimeout(r, 300));
  const value = await op();
  await new Promise((r) => setTimeout(r, 500));
  const r = await load.stop();
  return { value, ...r };
}

beforeAll(async () => {
  // A comment of the user's own, which every edit must keep.
  writeFileSync(yamlFile(), `# our shop's cluster\n${yaml()}`);
  await cluster.startHealthy();
}, 120_000);
afterAll(() => cluster.destroy(), 60_000);

describe('--dry-run: the plan, and nothing changed', () => {
  const plan = async (...args: string[]) => {
    const before = { yaml: yaml(), pids: JSON.stringify(readState(join(cluster.dir, '.hactl'))), worker: (await master('show proc')).match(/^(\d+)\s+worker/m)?.[1] };
    const r = await cluster.hactl(...args, '--dry-run', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(yaml()).toBe(before.yaml);
    expect(JSON.stringify(readState(join(cluster.dir, '.hactl')))).toBe(before.pids);
    expect((await master('show proc')).match(/^(\d+)\s+worker/m)?.[1]).toBe(before.worker);
    const out = JSON.parse(r.stdout) as { dry_run: boolean; actions: { kind: string; process?: string; file?: string; server?: string; node?: string }[] };
    expect(out.dry_run).toBe(true);
    return out.actions.map((a) => [a.kind, a.process ?? a.file ?? a.server ?? a.node]);
  };

  it('up on a cluster that runs what cluster.yaml says: nothing', async () => {
    expect(await plan('up')).toEqual([]);
  });

  it('add web: its config, start it, reload lb-web', async () => {
    expect(await plan('add', 'web', 'web9')).toEqual([
      ['write', 'lb-web/haproxy.cfg'],
      ['write', 'web9/app.json'],
      ['write', 'web9/httpd.conf'],
      ['start', 'web9'],
      ['reload', 'lb-web'],
      ['sync-web-states', undefined],
    ]);
  });

  it('remove web: drain, wait, maintenance, reload without it, stop it', async () => {
    expect(await plan('remove', 'web', 'web2')).toEqual([
      ['set-server-state', 'web2'],
      ['wait-idle', 'web2'],
      ['set-server-state', 'web2'],
      ['wait-idle', 'web2'],
      ['write', 'lb-web/haproxy.cfg'],
      ['reload', 'lb-web'],
      ['sync-web-states', undefined],
      ['stop', 'web2'],
    ]);
  });

  it('reload: both balancers, nothing else', async () => {
    expect(await plan('reload')).toEqual([
      ['reload', 'lb-db'],
      ['reload', 'lb-web'],
      ['sync-web-states', undefined],
    ]);
  });
});

describe('add web', () => {
  it('starts web3, adds it to lb-web with a hitless reload, drops no request, records it with comments kept', async () => {
    // Seconds after a cold start: lb-web's first worker has not finished its own
    // table sync yet, and a reload then used to start with an empty stick table.
    await request(`${cluster.url}/api/session`, { headers: { cookie: 'PHPSESSID=coldstartkey' } });
    const run = await under(() => cluster.hactl('add', 'web', 'web3', '--cookie', 'S3'));
    expect(await admin('show table web')).toMatch(/key=coldstartkey/);
    expect(run.value.code, run.value.stderr).toBe(0);
    expect(run.failures).toEqual([]);
    expect(run.requests).toBeGreaterThan(50);
    expect(yaml()).toMatch(/^# our shop's cluster\n/);
    expect(yaml()).toMatch(/web: \[web1, web2, \{ name: web3, cookie: S3 \}\]/);
    await eventually('web3 UP in lb-web', async () => (await servers()).get('web3')?.status === 'UP');
    const seen = new Set<string>();
    for (let i = 0; i < 9; i++) seen.add(String((await request(`${cluster.url}/health`)).headers['x-served-by']));
    expect(seen).toEqual(new Set(['web1', 'web2', 'web3']));
    expect((await cluster.hactl('up', '--json')).stdout).toMatch(/"started": \[\]/);
  }, 60_000);

  it('rolls everything back when the new node never passes its health check', async () => {
    // A PHP without header(): every page of the app fails, so web4 starts but is never healthy.
    const ini = tempDir('hactl-ini-');
    writeFileSync(join(ini, 'broken.ini'), 'disable_functions=header,http_response_code\n');
    const before = yaml();
    const configBefore = readFileSync(join(cluster.dir, '.hactl/config/lb-web/haproxy.cfg'), 'utf8');
    const r = await execa('node', [MAIN, 'add', 'web', 'web4', '--wait', '2'], { cwd: cluster.dir, reject: false, env: { NO_COLOR: '1', PHP_INI_SCAN_DIR: `:${ini}` } });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/web4 did not start/);
    expect(yaml()).toBe(before);
    expect(readFileSync(join(cluster.dir, '.hactl/config/lb-web/haproxy.cfg'), 'utf8')).toBe(configBefore);
    expect((await servers()).has('web4')).toBe(false);
    expect(pidOf('web4')).toBeUndefined();
  }, 60_000);
});

describe('drain, enable, disable, weight', () => {
  it('drain keeps sticky visitors, sends new ones elsewhere, needs no reload, and survives a reload', async () => {
    const jar = new CookieJar();
    let first = '';
    // A sticky visitor on web1.
    for (let i = 0; i < 20 && first !== 'web1'; i++) {
      const j = new CookieJar();
      const res = await request(`${cluster.url}/api/session`, { jar: j });
      if (res.headers['x-served-by'] === 'web1') {
        first = 'web1';
        for (const c of ['PHPSESSID', 'SERVERID']) jar.store([`${c}=${j.get(c)}`]);
      }
    }
    expect(first).toBe('web1');
    const workerBefore = (await master('show proc')).match(/^(\d+)\s+worker/m)?.[1];
    // The plan first: exactly one runtime API command, and nothing changed by asking.
    const before = yaml();
    const dry = await cluster.hactl('drain', 'web1', '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dry_run: true, applied: true, state: 'drain', actions: [{ kind: 'set-server-state', server: 'web1', state: 'drain' }] });
    expect(JSON.parse(dry.stdout).actions).toHaveLength(1);
    expect(yaml()).toBe(before);
    expect((await servers()).get('web1')?.status).toBe('UP');
    const run = await under(() => cluster.hactl('drain', 'web1'));
    expect(run.value.code, run.value.stderr).toBe(0);
    expect(run.failures).toEqual([]);
    expect((await master('show proc')).match(/^(\d+)\s+worker/m)?.[1]).toBe(workerBefore);
    expect((await servers()).get('web1')?.status).toBe('DRAIN');
    expect(yaml()).toMatch(/name: web1, state: drain/);
    for (let i = 0; i < 6; i++) expect((await request(`${cluster.url}/health`)).headers['x-served-by']).not.toBe('web1');
    expect((await request(`${cluster.url}/api/session`, { jar })).headers['x-served-by']).toBe('web1');
    // The drain wrote lb-web's file for a later start: the next up has nothing to do.
    const next = await cluster.hactl('up');
    expect(next.stdout).toMatch(/^✓ up to date \(local runtime\)$/m);
    expect((await master('show proc')).match(/^(\d+)\s+worker/m)?.[1]).toBe(workerBefore);
    // A state set by hand on the admin socket does not last: up tells lb-web what cluster.yaml says, and says so.
    await admin('set server web/web1 state ready');
    const back = await cluster.hactl('up');
    expect(back.stdout).toMatch(/^✓ nothing to start or reload \(local runtime\); told lb-web: set server web\/web1 state drain$/m);
    expect((await servers()).get('web1')?.status).toBe('DRAIN');
    expect((await cluster.hactl('reload')).code).toBe(0);
    expect((await servers()).get('web1')?.status).toBe('DRAIN');
  }, 60_000);

  it('enable puts it back, disable takes it out at once, weight changes its share; all through the runtime API', async () => {
    expect((await cluster.hactl('enable', 'web1')).code).toBe(0);
    expect((await servers()).get('web1')?.status).toBe('UP');
    expect((await cluster.hactl('disable', 'web2')).code).toBe(0);
    expect((await servers()).get('web2')?.status).toBe('MAINT');
    expect(yaml()).toMatch(/name: web2, state: maint/);
    expect((await cluster.hactl('enable', 'web2')).code).toBe(0);
    expect((await cluster.hactl('weight', 'web2', '20')).code).toBe(0);
    expect((await servers()).get('web2')?.weight).toBe('20');
    expect(yaml()).toMatch(/name: web2, state: ready, weight: 20/);
    // Already applied live: the next up has nothing to reload.
    expect(JSON.parse((await cluster.hactl('up', '--json')).stdout).reloaded).toEqual([]);
    // A reload restores what cluster.yaml says, not what the state file remembers.
    expect((await cluster.hactl('reload')).code).toBe(0);
    const after = await servers();
    expect([after.get('web1')?.status, after.get('web2')?.status, after.get('web2')?.weight]).toEqual(['UP', 'UP', '20']);
  }, 60_000);
});

describe('the lock', () => {
  it('serialises concurrent changes: both are applied and both recorded', async () => {
    const [a, b] = await Promise.all([cluster.hactl('weight', 'web1', '30'), cluster.hactl('weight', 'web2', '40')]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    expect(yaml()).toMatch(/name: web1, state: ready, weight: 30/);
    expect(yaml()).toMatch(/name: web2, state: ready, weight: 40/);
    const now = await servers();
    expect([now.get('web1')?.weight, now.get('web2')?.weight]).toEqual(['30', '40']);
    expect((await cluster.hactl('weight', 'web1', '100')).code).toBe(0);
    expect((await cluster.hactl('weight', 'web2', '20')).code).toBe(0);
  }, 30_000);
});

describe('reload', () => {
  it('is hitless, keeps the sticky table (peers) across 10 reloads: the sticky visitor stays on its node after each', async () => {
    // A client that sends only the session cookie: stuck through the stick table, not SERVERID.
    const cookie = { cookie: 'PHPSESSID=stickytablekeep' };
    const node = (await request(`${cluster.url}/api/session`, { headers: cookie })).headers['x-served-by'];
    expect(await admin('show table web')).toMatch(/key=stickytablekeep/);
    const run = await under(async () => {
      for (let i = 0; i < 10; i++) {
        const r = await cluster.hactl('reload', '--json');
        expect(r.code, r.stderr).toBe(0);
        expect((await request(`${cluster.url}/api/session`, { headers: cookie })).headers['x-served-by'], `after reload ${i + 1}`).toBe(node);
      }
    });
    expect(run.failures).toEqual([]);
    expect(await admin('show table web')).toMatch(/key=stickytablekeep/);
    for (let i = 0; i < 4; i++) expect((await request(`${cluster.url}/api/session`, { headers: cookie })).headers['x-served-by']).toBe(node);
  }, 60_000);

  it('that fails leaves the previous configuration serving and says so', async () => {
    // A port that passes haproxy -c but cannot be bound when the new worker starts.
    const squatter = createServer().listen(18999, cluster.listen);
    await new Promise((r) => squatter.once('listening', r));
    const good = yaml();
    try {
      writeFileSync(yamlFile(), good.replace('stats: 18404', 'stats: 18999'));
      const r = await cluster.hactl('reload');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/lb-web could not load its new configuration; the previous one is still serving/);
      expect((await request(`${cluster.url}/health`)).status).toBe(200);
      expect((await request(`http://${cluster.listen}:18404/`)).status).toBe(401);
    } finally {
      writeFileSync(yamlFile(), good);
      squatter.close();
    }
    expect((await cluster.hactl('reload')).code).toBe(0);
  }, 60_000);
});

describe('session-mode', () => {
  it('switches persistence and the session handler together: no restart, no failed request', async () => {
    const pids = [pidOf('web1'), pidOf('web2')];
    const run = await under(() => cluster.hactl('session-mode', 'db'));
    expect(run.value.code, run.value.stderr).toBe(0);
    expect(run.failures).toEqual([]);
    expect(yaml()).toMatch(/^session_mode: db$/m);
    expect([pidOf('web1'), pidOf('web2')]).toEqual(pids);
    // Without SERVERID stickiness a client alternates nodes, and its colour follows it (DB sessions).
    const jar = new CookieJar();
    await request(`${cluster.url}/api/session`, { jar, form: { color: 'olive' } });
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const res = await request(`${cluster.url}/api/session`, { jar });
      seen.add(String(res.headers['x-served-by']));
      expect(res.json<{ color: string }>().color).toBe('olive');
    }
    expect(seen.size).toBeGreaterThan(1);
    expect(jar.get('SERVERID')).toBeUndefined();
    const back = await under(() => cluster.hactl('session-mode', 'sticky'));
    expect(back.value.code).toBe(0);
    expect(back.failures).toEqual([]);
    const again = await cluster.hactl('session-mode', 'sticky', '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ mode: 'sticky', previous: 'sticky', reloaded: [] });
  }, 60_000);
});

describe('remove web', () => {
  it('drains, waits while a sticky visitor still comes, takes web3 out, stops it, with no failed request', async () => {
    // A visitor pinned to web3 (its cookie), every 0.33 s on one kept-alive connection, for 2.5 s.
    const agent = new Agent({ keepAlive: true });
    const t0 = Date.now();
    let pinned = 0;
    const visitor = (async () => {
      while (Date.now() - t0 < 2500) {
        if ((await request(`${cluster.url}/health`, { headers: { cookie: 'SERVERID=S3' }, agent })).headers['x-served-by'] === 'web3') pinned++;
        await new Promise((r) => setTimeout(r, 330));
      }
    })();
    // The load's own clients keep no cookie: those pinned to web3 would keep it busy until the timeout (sticky visitors stay).
    const run = await under(() => cluster.hactl('remove', 'web', 'web3', '--timeout', '10', '--json'), { keepAlive: 3, fresh: 3, sticky: false });
    await visitor;
    agent.destroy();
    expect(run.value.code, run.value.stderr).toBe(0);
    expect(pinned).toBeGreaterThan(5);
    // Taken out only once no visitor came for a second: after the last one, at 2.5 s.
    expect(JSON.parse(run.value.stdout)).toMatchObject({ node: 'web3', drained: true });
    expect(JSON.parse(run.value.stdout).waited_s).toBeGreaterThanOrEqual(2.5);
    expect(run.failures).toEqual([]);
    expect((await servers()).has('web3')).toBe(false);
    expect(pidOf('web3')).toBeUndefined();
    expect(yaml()).toMatch(/web: \[/);
    expect(yaml()).not.toMatch(/web3/);
  }, 60_000);

  it('clean removes what web3 left behind, and lists it first with --dry-run', async () => {
    const dry = await cluster.hactl('clean', '--dry-run');
    expect(dry.stdout).toMatch(/would remove web3: .*config\/web3/);
    expect(readFileSync(join(cluster.dir, '.hactl/config/web3/app.json'), 'utf8')).toMatch(/web3/);
    const r = await cluster.hactl('clean', '--json');
    // web4's failed start left its log (kept to explain the failure) and config.
    expect(JSON.parse(r.stdout).removed.map((l: { name: string }) => l.name)).toEqual(['web3', 'web4']);
    // Not add db's line for what an earlier node left: clean lists what it removed, once.
    expect(r.stderr).not.toMatch(/left behind/);
    expect((await cluster.hactl('clean')).stdout).toMatch(/nothing to clean/);
  }, 30_000);
});

describe('bad input changes nothing', () => {
  const cases: [string[], RegExp][] = [
    [['add', 'web', 'web1'], /web\[2\]\.name: name "web1" is already used by web\[0\]/],
    [['add', 'web', 'web9', '--host', '127.0.12.1', '--port', '8000'], /127\.0\.12\.1:8000 is already used by web1/],
    [['add', 'web', 'web9', '--cookie', 'S1'], /web\[2\]\.cookie: cookie "S1" is already used by web1/],
    [['add', 'web', 'Web 9'], /^  name: "Web 9" is not valid/m],
    [['add', 'web', 'web9', '--port', '80a'], /--port: "80a" is not a whole number/],
    [['remove', 'web', 'web7'], /there is no web node named "web7"/],
    [['drain', 'nosuch'], /there is no web node named "nosuch"/],
    [['weight', 'web1', '999'], /weight: "999" is not a whole number from 0 to 256/],
    [['session-mode', 'cookies'], /"cookies" is not one of none, sticky, db/],
    [['remove', 'db', 'mysql7'], /there is no db node named "mysql7"/],
  ];
  it.each(cases)('hactl %j', async (args, message) => {
    const before = yaml();
    const pids = JSON.stringify(readState(join(cluster.dir, '.hactl')));
    const r = await cluster.hactl(...args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(yaml()).toBe(before);
    expect(JSON.stringify(readState(join(cluster.dir, '.hactl')))).toBe(pids);
  });

  it('a removal that reaches its timeout while a pinned visitor still comes says so (drained: false)', async () => {
    const agent = new Agent({ keepAlive: true });
    let coming = true;
    const visitor = (async () => {
      while (coming) {
        await request(`${cluster.url}/health`, { headers: { cookie: 'SERVERID=S2' }, agent });
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    const r = await cluster.hactl('remove', 'web', 'web2', '--timeout', '1', '--json');
    coming = false;
    await visitor;
    agent.destroy();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/web2: still busy after 1 s; taking it out anyway/);
    // The wait in maintenance that follows ends at once; it must not turn this into a clean drain.
    expect(JSON.parse(r.stdout)).toMatchObject({ node: 'web2', drained: false });
  }, 60_000);

  it('refuses to remove the last web node', async () => {
    // web2 went in the test above.
    const r = await cluster.hactl('remove', 'web', 'web1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/web1 is the only web node/);
    expect(groupAlive(pidOf('web1')!)).toBe(true);
  }, 60_000);
});
