import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, MAIN, sleep, TestCluster } from '../support/cluster.js';
import { startLoad } from '../support/load.js';
import { CookieJar, request } from '../support/http.js';
import { sessionWriter } from '../support/session-writer.js';
import { scenarios, scenarioSuite } from './suite.js';
import { httpsGet, servedFingerprint, steadyHttps, TestCa } from '../support/tls.js';

// The seeds' scenarios on the compose runtime: containers web1, web2,
// mysql1, mysql2, lb-web, lb-db (names are global to the Docker engine, so
// this is the only compose test). Entry points published on 127.0.35.1 only.
// No engine is a failure, not a skip: .ci/run starts one (scripts/docker-setup.sh).
// Its containers are t35-web1 … t35-lb-web (compose.container_prefix), so that a cluster of the
// user's own (containers web1 … lb-web, the default) may run on the same engine meanwhile.
const PREFIX = 't35-';
const cluster = new TestCluster(35, { runtime: 'compose', containerPrefix: PREFIX });
const c = (node: string) => PREFIX + node;

beforeAll(async () => {
  const engine = await execa('docker', ['info', '--format', '{{.ServerVersion}}'], { reject: false });
  if (engine.exitCode !== 0) throw new Error(`no Docker engine answers (run: sudo bash scripts/docker-setup.sh): ${engine.stderr}`);
});

// Registered before the suite's own teardown, so it runs after it (hooks run as a stack).
afterAll(async () => {
  // Torn down by the suite: nothing of the project may be left.
  const left = await execa('docker', ['ps', '-a', '--filter', 'label=com.docker.compose.project=test35', '--format', '{{.Names}}'], { reject: false });
  const volumes = await execa('docker', ['volume', 'ls', '-q', '--filter', 'label=com.docker.compose.project=test35'], { reject: false });
  const networks = await execa('docker', ['network', 'ls', '-q', '--filter', 'label=com.docker.compose.project=test35'], { reject: false });
  expect([left.stdout, volumes.stdout, networks.stdout]).toEqual(['', '', '']);
}, 120_000);

it('runs containers named as in cluster.yaml', async () => {
  const r = await execa('docker', ['ps', '--filter', 'label=com.docker.compose.project=test35', '--format', '{{.Names}}']);
  expect(r.stdout.split('\n').sort()).toEqual(['lb-db', 'lb-web', 'mysql1', 'mysql2', 'web1', 'web2'].map(c));
  // What ps says to type to kill one as a crash would: the container's name.
  expect((await cluster.hactl('ps')).stdout).toMatch(/docker kill t35-web1/);
});

it('refuses a second project whose container names this one holds, and leaves nothing of it behind', async () => {
  // Its own loopback address and ports: only the names clash (the same prefix).
  const second = new TestCluster(37, { runtime: 'compose', containerPrefix: PREFIX });
  try {
    const r = await second.hactl('up');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already in use/);
    const of = (what: string[]) => execa('docker', [...what, '--filter', 'label=com.docker.compose.project=test37'], { reject: false });
    const [left, volumes, networks] = await Promise.all([of(['ps', '-a', '-q']), of(['volume', 'ls', '-q']), of(['network', 'ls', '-q'])]);
    expect([left.stdout, volumes.stdout, networks.stdout]).toEqual(['', '', '']);
    expect((await cluster.hactl('status')).code).toBe(0);
  } finally {
    await second.destroy();
  }
}, 180_000);

// The first run builds the images (about a minute).
scenarioSuite(cluster, 900_000);


// The live operations, through the same shared code, on containers.
describe('live operations on compose', () => {
  it('up brings back what the scenarios killed; restart recreates one container', async () => {
    expect((await cluster.hactl('up')).code).toBe(0);
    await eventually('a healthy cluster', async () => (await cluster.hactl('status')).code === 0, 30_000);
    // Every container's output is capped, as local logs are: lb-web writes a line per request.
    const logging = await execa('docker', ['inspect', '--format', '{{.Name}} {{json .HostConfig.LogConfig}}', c('lb-web'), c('web1'), c('mysql1')]);
    for (const line of logging.stdout.split('\n')) expect(line).toMatch(/{"Type":"json-file","Config":{"max-file":"2","max-size":"8m"}}$/);
    const before = (await execa('docker', ['inspect', '--format', '{{.Id}}', c('web2')])).stdout;
    expect((await cluster.hactl('restart', 'web2')).code).toBe(0);
    expect((await execa('docker', ['inspect', '--format', '{{.Id}}', c('web2')])).stdout).not.toBe(before);
    expect((await cluster.hactl('logs', 'mysql1', '-n', '200')).stdout).toMatch(/ready for connections/);
    // A DB node restarted keeps its volume: it is not taken for a new node and cloned.
    const restarted = await cluster.hactl('restart', 'mysql2');
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stderr).not.toMatch(/cloning/);
    await eventually('replication synced again', async () => {
      const s = JSON.parse((await cluster.hactl('status', '--json')).stdout);
      return s.nodes.filter((n: { type: string }) => n.type === 'db').every((n: { replication_summary: string }) => n.replication_summary === 'Synced');
    }, 30_000);
  }, 120_000);

  it("hactl logs web1 shows the requests the node served (Apache's access log, not lb-web's health checks)", async () => {
    const logs = async () => (await Promise.all(['web1', 'web2'].map((n) => cluster.hactl('logs', n, '-n', '1000')))).map((r) => r.stdout).join('\n');
    const healthLines = async () => (await logs()).match(/GET \/health/g)?.length ?? 0;
    const before = await healthLines();
    for (let i = 0; i < 4; i++) await fetch(`${cluster.url}/?from=compose-logs`).then((r) => r.text());
    await sleep(2000);
    expect(await logs()).toMatch(/"GET \/\?from=compose-logs HTTP\/1\.1" 200 \d+ "-" "node"/);
    // lb-web checks each node four times a second: 16 lines in 2 s, were they logged.
    expect(await healthLines()).toBeLessThanOrEqual(before);
  });

  it('adds and removes web3 under steady traffic without a failed request', async () => {
    const load = startLoad(cluster.url, { keepAlive: 2, fresh: 2 });
    await sleep(300);
    const added = await cluster.hactl('add', 'web', 'web3');
    await sleep(500);
    const removed = await cluster.hactl('remove', 'web', 'web3', '--timeout', '2');
    await sleep(300);
    const r = await load.stop();
    expect([added.code, removed.code], added.stderr + removed.stderr).toEqual([0, 0]);
    expect(r.failures).toEqual([]);
    expect(r.servedBy.get('web3')).toBeGreaterThan(0);
    // Where lb-web reaches it: the container, not cluster.yaml's local-runtime address.
    expect(added.stdout).toMatch(/added web3 \(web3:8000, cookie S3\)/);
    expect((await execa('docker', ['ps', '-a', '--filter', `name=^${c('web3')}$`, '--format', '{{.Names}}'])).stdout).toBe('');
  }, 180_000);

  it('add web whose lb-web reload fails after it reloaded (HACTL_FAILPOINT): lb-web runs the old config again, the web3 container is stopped, 0 failed requests', async () => {
    const cfg = () => readFileSync(join(cluster.dir, '.hactl/compose/lb-web/haproxy.cfg'), 'utf8');
    const before = cfg();
    const load = startLoad(cluster.url, { keepAlive: 2, fresh: 2 });
    await sleep(300);
    const r = await execa('node', [MAIN, 'add', 'web', 'web3'], { cwd: cluster.dir, reject: false, env: { NO_COLOR: '1', HACTL_FAILPOINT: 'reload' } });
    await sleep(500);
    const traffic = await load.stop();
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/reload failed[\s\S]*version \d+ is back on disk and in the balancers/);
    expect(cfg()).toBe(before);
    expect(readFileSync(join(cluster.dir, 'cluster.yaml'), 'utf8')).not.toContain('web3');
    expect(traffic.failures).toEqual([]);
    const running = await execa('docker', ['ps', '--filter', `name=^${c('web3')}$`, '--format', '{{.Names}}']);
    expect(running.stdout).toBe('');
    // What lb-web runs: the stats page lists the servers of the config it was reloaded with.
    const stats = await request(`http://${cluster.listen}:18404/;csv`, { headers: { authorization: `Basic ${Buffer.from(`admin:${cluster.secrets().stats_password}`).toString('base64')}` } });
    expect(stats.body).not.toMatch(/^web,web3,/m);
    expect(stats.body).toMatch(/^web,web1,/m);
  }, 180_000);

  it('adds mysql3 (cloned from a live master), then removes it and cleans its volume', async () => {
    const added = await cluster.hactl('add', 'db', 'mysql3');
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toMatch(/mysql3: cloning hactl from mysql2/);
    expect(added.stdout).toMatch(/mysql3 \(mysql3:3306, id 3\) joined/);
    const rows = async (node: string) => {
      const c = await cluster.root(node);
      const [r] = (await c.query('SELECT COUNT(*) AS n FROM s4')) as [{ n: number }[], unknown];
      await c.end();
      return r[0]!.n;
    };
    const expected = await rows('mysql1');
    expect(expected).toBeGreaterThan(0);
    await eventually('mysql3 holding every row', async () => (await rows('mysql3')) === expected);
    expect((await cluster.hactl('remove', 'db', 'mysql3')).code).toBe(0);
    const cleaned = await cluster.hactl('clean');
    expect(cleaned.stdout).toMatch(/removed mysql3: .*volume test35_mysql3-data/);
    expect((await execa('docker', ['volume', 'ls', '-q', '--filter', 'name=test35_mysql3-data'])).stdout).toBe('');
  }, 180_000);
});

// The same containers with lb-web switched to Apache (its own image, hactl/apache): the
// scenarios again, then what live-web-apache.test.ts proves locally where compose differs
// (reload by docker exec, members by name on the compose network, the gap measured from outside).
describe('lb-web on Apache in a container of its own', () => {
  async function under<T>(op: () => Promise<T>): Promise<{ value: T; requests: number; failures: string[] }> {
    const load = startLoad(cluster.url, { keepAlive: 2, fresh: 2 });
    await sleep(300);
    const value = await op();
    await sleep(500);
    return { value, ...(await load.stop()) };
  }
  const members = async () => {
    const s = JSON.parse((await cluster.hactl('status', '--json')).stdout) as { engine: string; nodes: { type: string; name: string; status: string }[] };
    return { engine: s.engine, web: Object.fromEntries(s.nodes.filter((n) => n.type === 'web').map((n) => [n.name, n.status])) };
  };
  const bothUp = () => eventually('every member UP in balancer-manager', async () => JSON.stringify((await members()).web) === JSON.stringify({ web1: 'UP', web2: 'UP' }), 30_000);

  it('hactl engine apache replaces lb-web by an Apache container and says how long the site did not answer', async () => {
    // Sticky, as the scenarios start: the live operations above may have left another mode.
    const sticky = await cluster.hactl('session-mode', 'sticky');
    expect(sticky.code, `${sticky.stderr}\n${(await cluster.hactl('status')).stdout}`).toBe(0);
    const r = await cluster.switchEngine('apache');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^✓ lb-web runs on apache; the site did not answer for \d+\.\d\d s while it switched$/m);
    expect((await execa('docker', ['inspect', '--format', '{{.Config.Image}}', c('lb-web')])).stdout).toBe('hactl/apache');
    await bothUp();
    expect((await members()).engine).toBe('apache');
    expect((await cluster.hactl('up')).stdout).toMatch(/^✓ up to date/m);
  }, 300_000);

  scenarios(cluster);

  it('drain, add web3, disable, weight, session-mode, trace, reload and remove web3 under steady traffic: balancer-manager or a graceful restart in the container, no failed request', async () => {
    // The scenarios killed nodes on their way, and left session mode db.
    expect((await cluster.hactl('up')).code).toBe(0);
    const sticky = await cluster.hactl('session-mode', 'sticky');
    expect(sticky.code, `${sticky.stderr}\n${(await cluster.hactl('status')).stdout}`).toBe(0);
    await bothUp();
    const run = await under(async () => {
      const codes = [];
      const steps = [
        ['drain', 'web1'],
        ['add', 'web', 'web3'],
        ['enable', 'web1'],
        ['disable', 'web2'],
        ['weight', 'web1', '50'],
        ['enable', 'web2'],
        ['weight', 'web1', '100'],
        ['session-mode', 'db'],
        ['session-mode', 'sticky'],
        ['trace', 'on'],
        ['trace', 'off'],
        ['reload'],
        ['remove', 'web', 'web3', '--timeout', '2'],
      ];
      for (const args of steps) {
        const r = await cluster.hactl(...args);
        codes.push([args.join(' '), r.code, r.code === 0 ? '' : r.stderr]);
      }
      return codes;
    });
    expect(run.value.filter(([, code]) => code !== 0)).toEqual([]);
    expect(run.failures).toEqual([]);
    expect(run.requests).toBeGreaterThan(50);
    // Graceful, not a new container: the same one, never restarted.
    expect((await execa('docker', ['inspect', '--format', '{{.RestartCount}} {{.Config.Image}}', c('lb-web')])).stdout).toBe('0 hactl/apache');
    expect((await members()).web).toEqual({ web1: 'UP', web2: 'UP' });
  }, 180_000);

  it('restarts a web node under load with no failed request (out of rotation first), and switches back to haproxy', async () => {
    const restart = await under(() => cluster.hactl('restart', 'web2'));
    expect(restart.value.code, restart.value.stderr).toBe(0);
    expect(restart.value.stderr).toMatch(/web2: restarting: out of rotation first/);
    expect(restart.failures).toEqual([]);
    await eventually('web2 UP again behind Apache', async () => (await members()).web.web2 === 'UP', 20_000);
    // Its route reaches it again (byrequests alone may send new visitors to web1 for a while:
    // it counts the sticky requests web2 took under the load above).
    for (let i = 0; i < 3; i++) expect((await fetch(`${cluster.url}/health`, { headers: { cookie: 'ROUTEID=.S2' } })).headers.get('x-served-by')).toBe('web2');
    const back = await cluster.switchEngine('haproxy', '--json');
    expect(back.code, back.stderr).toBe(0);
    expect(JSON.parse(back.stdout).outages).toEqual([{ process: 'lb-web', ms: expect.any(Number) }]);
    expect((await execa('docker', ['inspect', '--format', '{{.Config.Image}}', c('lb-web')])).stdout).toBe('hactl/haproxy');
  }, 180_000);
});

// HTTPS on compose (tls: turned on by hand, as a user would): the certificate rendered into
// lb-web's mounted folder, swapped through the runtime API of HAProxy in its container, and by
// a graceful restart of Apache in its own; 0 failed requests under steady HTTPS load.
describe('HTTPS on compose', () => {
  const https = `https://${cluster.listen}:8443`;
  const ownCa = () => readFileSync(join(cluster.dir, '.hactl/tls/ca.crt'), 'utf8');
  const userCa = new TestCa(mkdtempSync(join(tmpdir(), 'hactl-user-ca-')));
  afterAll(() => rmSync(userCa.dir, { recursive: true, force: true }));

  it('tls: {} publishes the HTTPS port: h2 with hactl\'s own CA, the app sees https', async () => {
    await userCa.init();
    writeFileSync(join(cluster.dir, 'cluster.yaml'), `${readFileSync(join(cluster.dir, 'cluster.yaml'), 'utf8')}tls: {}\n`);
    const up = await cluster.hactl('up');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain(`https:  ${https}/  (hactl's own CA: curl --cacert .hactl/tls/ca.crt)`);
    await eventually('HTTPS answers', async () => (await httpsGet(`${https}/health`, ownCa()).catch(() => ({ status: 0 }))).status === 200, 20_000);
    const curl = await execa('curl', ['-sS', '--cacert', join(cluster.dir, '.hactl/tls/ca.crt'), '-o', '/dev/null', '-w', '%{http_code} %{http_version}', `${https}/health`], { reject: false });
    expect(curl.stdout).toBe('200 2');
    expect(JSON.parse((await httpsGet(`${https}/conntest?format=json`, ownCa())).body).connection).toMatchObject({ scheme: 'https', tls_version: 'TLSv1.3' });
  }, 300_000);

  it.each(['haproxy', 'apache'] as const)('%s: hactl cert set, then cert renew, under steady HTTPS load: 0 failed requests', async (engine) => {
    if (cluster.engine !== engine) expect((await cluster.switchEngine(engine)).code).toBe(0);
    await eventually('HTTPS answers', async () => (await httpsGet(`${https}/health`, ownCa()).catch(() => ({ status: 0 }))).status === 200, 30_000);
    const user = await userCa.issue(`compose-${engine}`, [cluster.listen]);
    const load = steadyHttps(`${https}/health`, `${ownCa()}\n${userCa.caPem}`);
    await sleep(300);
    const set = await cluster.hactl('cert', 'set', '--cert', user.cert, '--key', user.key, '--json');
    const renew = await cluster.hactl('cert', 'renew', '--json');
    await sleep(300);
    const { done, failures } = await load.stop();
    expect(set.code, set.stderr).toBe(0);
    expect(renew.code, renew.stderr).toBe(0);
    expect(failures).toEqual([]);
    expect(done).toBeGreaterThan(20);
    if (engine === 'haproxy') expect(JSON.parse(set.stdout)).toMatchObject({ told: ['set ssl cert site.pem'], reloaded: [] });
    else expect(JSON.parse(set.stdout).reloaded).toEqual(['lb-web']);
    expect(await servedFingerprint(cluster.listen, 8443)).toBe(JSON.parse(renew.stdout).cert.fingerprint);
  }, 300_000);
});

describe('session stores on compose', () => {
  const yamlFile = join(cluster.dir, 'cluster.yaml');
  const roles = async () =>
    Object.fromEntries(
      (JSON.parse((await cluster.hactl('status', '--json')).stdout) as { stores: { name: string; store: string; role?: string | null }[] }).stores
        .filter((s) => s.store === 'redis')
        .map((s) => [s.name, s.role]),
    );
  const color = async (jar: CookieJar) => (await request(`${cluster.url}/api/session`, { jar })).json<{ color: string | null }>().color;

  it('memcached and Redis nodes and three Sentinels run as containers of the store image, named as in cluster.yaml', async () => {
    writeFileSync(yamlFile, `${readFileSync(yamlFile, 'utf8')}memcached: [mc1, mc2]\nredis: [redis1, redis2]\n`);
    const up = await cluster.hactl('up');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/started mc1, mc2, redis1, redis2, sentinel1, sentinel2, sentinel3\b/);
    const ps = await execa('docker', ['ps', '--filter', 'label=com.docker.compose.project=test35', '--format', '{{.Names}} {{.Image}}']);
    expect(ps.stdout.split('\n').filter((l) => / hactl\/store$/.test(l)).map((l) => l.split(' ')[0]).sort()).toEqual(['mc1', 'mc2', 'redis1', 'redis2', 'sentinel1', 'sentinel2', 'sentinel3'].map(c));
    expect(await roles()).toEqual({ redis1: 'primary', redis2: 'replica' });
    expect(JSON.parse((await cluster.hactl('test', 'redis2', '--json')).stdout)).toMatchObject({ ok: true, detail: "answers with the cluster's password, role replica" });
  }, 300_000);

  it('session-mode memcached under load (0 failed); docker kill of a memcached node keeps every session', async () => {
    const load = startLoad(cluster.url, { keepAlive: 2, fresh: 2 });
    const r = await cluster.hactl('session-mode', 'memcached', '--json');
    await sleep(300);
    const { failures } = await load.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(failures).toEqual([]);
    const jars = Array.from({ length: 6 }, () => new CookieJar());
    for (const jar of jars) await request(`${cluster.url}/api/session`, { jar, method: 'POST', form: { color: 'plum' } });
    await cluster.kill('mc1');
    for (const jar of jars) expect(await color(jar)).toBe('plum');
  }, 120_000);

  it('session-mode redis under load (0 failed); docker kill of the primary under session writes: 0 failed, 0 lost, answered within 5 s; up brings it back as a replica', async () => {
    const load = startLoad(cluster.url, { keepAlive: 2, fresh: 2 });
    const r = await cluster.hactl('session-mode', 'redis', '--json');
    await sleep(300);
    const { failures } = await load.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(failures).toEqual([]);
    const jar = new CookieJar();
    await request(`${cluster.url}/api/session`, { jar, method: 'POST', form: { color: 'teal' } });
    const writer = sessionWriter(cluster.url);
    await sleep(500);
    await cluster.kill('redis1');
    await eventually('redis2 promoted', async () => (await roles()).redis2 === 'primary', 15_000);
    await sleep(500);
    const w = await writer.stop();
    expect(w.failures).toEqual([]);
    expect(w.lost).toBe(0);
    expect(w.longestGapMs).toBeLessThan(5000);
    expect(await color(jar)).toBe('teal');
    const up = await cluster.hactl('up');
    expect(up.code, up.stderr).toBe(0);
    expect((await execa('docker', ['logs', c('redis1')], { all: true })).all).toContain('hactl: starting as replica of redis2 6379');
    await eventually('redis1 a replica', async () => (await roles()).redis1 === 'replica', 15_000);
  }, 180_000);
});
