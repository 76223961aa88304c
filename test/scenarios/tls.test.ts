import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { chromium } from 'playwright-core';
import { eventually, TestCluster } from '../support/cluster.js';
import { startDashboard } from '../support/dashboard.js';
import { request } from '../support/http.js';
import { httpsGet, sClient, servedFingerprint, spkiHash, steadyHttps, TestCa } from '../support/tls.js';

// HTTPS on lb-web, for real, on both engines of one local cluster: entry points on
// 127.0.72.1 (HTTPS on 8443), web nodes 127.0.82.n, DB nodes 127.0.92.n. Clients:
// curl, Node's https, openssl s_client, Chromium. Nothing else is asked.
const cluster = new TestCluster(72, { sessionMode: 'sticky' });
const HOST = cluster.listen;
const HTTPS = `https://${HOST}:8443`;
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = new URL('../../test-results/screenshots/', import.meta.url).pathname;
const yamlFile = join(cluster.dir, 'cluster.yaml');
const ownCa = () => readFileSync(join(cluster.dir, '.hactl/tls/ca.crt'), 'utf8');
const userCa = new TestCa(mkdtempSync(join(tmpdir(), 'hactl-user-ca-')));

/** Edit cluster.yaml by hand and converge, as a user would. */
async function editAndUp(from: string, to: string): Promise<void> {
  writeFileSync(yamlFile, readFileSync(yamlFile, 'utf8').replace(from, to));
  const r = await cluster.hactl('up');
  expect(r.code, r.stderr).toBe(0);
}

beforeAll(async () => {
  writeFileSync(yamlFile, `${readFileSync(yamlFile, 'utf8')}tls:\n  names: [shop.example]\n  hsts: 600\n`);
  await Promise.all([cluster.startHealthy(), userCa.init()]);
}, 180_000);

afterAll(async () => {
  rmSync(userCa.dir, { recursive: true, force: true });
  await cluster.destroy();
}, 60_000);

describe('hactl up with tls: {}', () => {
  it("makes hactl's own CA and a certificate for the listen address, localhost and tls.names; status shows its days left", async () => {
    const status = JSON.parse((await cluster.hactl('status', '--json')).stdout);
    expect(status.endpoints.https).toBe(`${HTTPS}/`);
    expect(status.tls).toMatchObject({ source: 'own', names: [HOST, 'localhost', '127.0.0.1', '::1', 'shop.example'], expiring: false });
    expect(status.tls.days_left).toBeGreaterThanOrEqual(395);
    const table = (await cluster.hactl('status')).stdout;
    expect(table).toMatch(new RegExp(`certificate: ${HOST.replaceAll('.', '\\.')} \\(\\+4 names\\), hactl's own CA, 39\\d days left`));
    const show = JSON.parse((await cluster.hactl('cert', 'show', '--json')).stdout);
    expect(show).toMatchObject({ source: 'own', ca: join(cluster.dir, '.hactl/tls/ca.crt'), fingerprint: await servedFingerprint(HOST, 8443) });
  });

  it('a new name in tls.names: up --dry-run says a certificate would be made and plans its swap, and makes nothing; hactl config shows tls', async () => {
    const own = join(cluster.dir, '.hactl/tls/own.pem');
    const before = readFileSync(own, 'utf8');
    writeFileSync(yamlFile, readFileSync(yamlFile, 'utf8').replace('names: [shop.example]', 'names: [shop.example, www.shop.example]'));
    try {
      const plan = await cluster.hactl('up', '--dry-run', '--json');
      expect(plan.code, plan.stderr).toBe(0);
      expect(plan.stderr).toContain("would make a new certificate from hactl's own CA (a dry run makes nothing)");
      expect(JSON.parse(plan.stdout).actions.map((a: { kind: string }) => a.kind)).toEqual(['write', 'swap-cert']);
      expect(readFileSync(own, 'utf8')).toBe(before);
      expect((await cluster.hactl('config')).stdout).toMatch(/^tls:\n {2}names:\n {4}- shop\.example\n {4}- www\.shop\.example\n {2}redirect: false\n {2}hsts: 600\n {2}dashboard: false$/m);
    } finally {
      writeFileSync(yamlFile, readFileSync(yamlFile, 'utf8').replace('names: [shop.example, www.shop.example]', 'names: [shop.example]'));
    }
  });
});

describe.each(['haproxy', 'apache'] as const)('lb-web on %s over HTTPS', (engine) => {
  beforeAll(async () => {
    if (cluster.engine !== engine) {
      const r = await cluster.switchEngine(engine);
      expect(r.code, r.stderr).toBe(0);
    }
  }, 120_000);

  it('curl trusts it with --cacert and speaks HTTP/2 (ALPN); without the CA it refuses', async () => {
    const ca = join(cluster.dir, '.hactl/tls/ca.crt');
    const ok = await execa('curl', ['-sS', '--cacert', ca, '-o', '/dev/null', '-w', '%{http_code} %{http_version}', `${HTTPS}/health`], { reject: false });
    expect(ok.stdout).toBe('200 2');
    const untrusted = await execa('curl', ['-sS', '-o', '/dev/null', `${HTTPS}/health`], { reject: false });
    expect(untrusted.exitCode).toBe(60);
  });

  it("Node's https client with the CA; the app sees https, the TLS version and cipher as lb-web saw them", async () => {
    const r = await httpsGet(`${HTTPS}/conntest?format=json`, ownCa(), { 'X-Forwarded-Proto': 'http', 'X-Forwarded-Tls': 'SSLv3 FORGED' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).connection).toEqual({ scheme: 'https', http_version: 'HTTP/1.1', tls_version: 'TLSv1.3', cipher: expect.stringMatching(/^TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)$/) });
    await expect(httpsGet(`${HTTPS}/health`, userCa.caPem)).rejects.toThrow(/self-signed|unable to (get|verify)/);
  });

  it('over plain HTTP the app sees http and none of a client\'s forged TLS headers', async () => {
    const r = await request(`${cluster.url}/conntest?format=json`, { headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Tls': 'TLSv1.3 FORGED' } });
    expect(JSON.parse(r.body).connection).toEqual({ scheme: 'http', http_version: 'HTTP/1.1', tls_version: null, cipher: null });
  });

  it('refuses TLS 1.0 and 1.1 with a protocol-version alert, takes 1.2 and 1.3 (openssl s_client)', async () => {
    for (const old of ['tls1', 'tls1_1'] as const) {
      const r = await sClient(HOST, 8443, old);
      expect(r.code, r.output).not.toBe(0);
      // The server's alert, not the client's own refusal ("no protocols available"): the client did offer it.
      expect(r.output, old).toMatch(/alert protocol version|unsupported protocol|wrong version number/);
    }
    for (const current of ['tls1_2', 'tls1_3'] as const) {
      const r = await sClient(HOST, 8443, current);
      expect(r.output, current).toMatch(new RegExp(`Protocol version: ${current === 'tls1_2' ? 'TLSv1.2' : 'TLSv1.3'}`));
      // Forward-secret AEAD ciphers only.
      expect(r.output).toMatch(/Ciphersuite: (TLS_|ECDHE-)[A-Z0-9_-]*(GCM|CHACHA20)/);
    }
  });

  it('the sticky cookie and PHPSESSID are Secure over HTTPS, and not over HTTP; HSTS over HTTPS only', async () => {
    const overHttps = await httpsGet(`${HTTPS}/`, ownCa());
    const cookies = overHttps.headers['set-cookie'] as string[];
    const sticky = cluster.stickyCookie.name;
    expect(cookies.find((c) => c.startsWith(`${sticky}=`))).toMatch(/; Secure/);
    expect(cookies.find((c) => c.startsWith('PHPSESSID='))).toMatch(/; secure/i);
    expect(overHttps.headers['strict-transport-security']).toBe('max-age=600');
    const overHttp = await request(`${cluster.url}/`);
    const plain = String(overHttp.headers['set-cookie'] ?? '');
    expect(plain).toContain(`${sticky}=`);
    expect(plain).not.toMatch(/secure/i);
    expect(overHttp.headers['strict-transport-security']).toBeUndefined();
  });

  it('tls.redirect: plain HTTP answers 301 to the same host and path on the HTTPS port', async () => {
    await editAndUp('  hsts: 600\n', '  hsts: 600\n  redirect: true\n');
    try {
      const r = await request(`${cluster.url}/visitors?x=1`, { headers: { Host: `shop.example:18080` } });
      expect(r.status).toBe(301);
      expect(r.headers.location).toBe('https://shop.example:8443/visitors?x=1');
      expect((await httpsGet(`${HTTPS}/health`, ownCa())).status).toBe(200);
    } finally {
      await editAndUp('  redirect: true\n', '');
    }
  });

  it('hactl cert set refuses what cannot serve (exit 2, naming the file and the problem) and leaves the serving certificate alone', async () => {
    const before = await servedFingerprint(HOST, 8443);
    const good = await userCa.issue(`good-${engine}`, ['shop.example', HOST]);
    const other = await userCa.issue(`other-${engine}`, ['other.example']);
    const expired = await userCa.issue(`expired-${engine}`, ['shop.example'], { start: '20200101000000Z', end: '20210101000000Z' });
    const future = await userCa.issue(`future-${engine}`, ['shop.example'], { start: '20990101000000Z', end: '21000101000000Z' });
    const loose = join(userCa.dir, `loose-${engine}.key`);
    copyFileSync(good.key, loose);
    chmodSync(loose, 0o644);
    const cases: [string[], RegExp][] = [
      [['--cert', good.cert, '--key', other.key], new RegExp(`${other.key}: this key does not match the certificate in ${good.cert}`)],
      [['--cert', other.cert, '--key', other.key], /does not cover shop\.example \(tls\.names\); it covers other\.example/],
      [['--cert', expired.cert, '--key', expired.key], /expired on 2021-01-01/],
      [['--cert', future.cert, '--key', future.key], /not valid yet: valid from 2099-01-01/],
      [['--cert', yamlFile, '--key', good.key], /not a PEM certificate/],
      [['--cert', good.cert, '--key', loose], /the key is readable by others \(mode 0644\); chmod 600/],
    ];
    for (const [args, message] of cases) {
      const r = await cluster.hactl('cert', 'set', ...args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain('the serving certificate is unchanged');
    }
    expect(await servedFingerprint(HOST, 8443)).toBe(before);
  });

  it(`hactl cert set swaps a good one under steady HTTPS load with 0 failed requests (${engine === 'haproxy' ? 'runtime API, no reload' : 'graceful restart'}); cert renew brings hactl's own back`, async () => {
    const good = await userCa.issue(`serve-${engine}`, ['shop.example', HOST]);
    const load = steadyHttps(`${HTTPS}/health`, `${ownCa()}\n${userCa.caPem}`);
    await new Promise((r) => setTimeout(r, 500));
    const set = await cluster.hactl('cert', 'set', '--cert', good.cert, '--key', good.key, '--json');
    // The test CA's certificates last 30 days: under 30 left, status warns.
    const status = await cluster.hactl('status');
    expect(status.stdout).toMatch(/certificate: shop\.example \(\+1 names\), set by hactl cert set, 29 days left \(renew it: under 30\)/);
    expect(JSON.parse((await cluster.hactl('status', '--json')).stdout).tls).toMatchObject({ source: 'set', days_left: 29, expiring: true });
    const renew = await cluster.hactl('cert', 'renew', '--json');
    await new Promise((r) => setTimeout(r, 500));
    const { done, failures } = await load.stop();
    expect(set.code, set.stderr).toBe(0);
    expect(renew.code, renew.stderr).toBe(0);
    expect(failures).toEqual([]);
    expect(done).toBeGreaterThan(50);
    const setResult = JSON.parse(set.stdout);
    if (engine === 'haproxy') {
      expect(setResult.told).toEqual(['set ssl cert site.pem']);
      expect(setResult.reloaded).toEqual([]);
    } else expect(setResult.reloaded).toEqual(['lb-web']);
    expect(setResult.cert).toMatchObject({ source: 'set', names: ['shop.example', HOST] });
    const renewed = JSON.parse(renew.stdout);
    expect(renewed).toMatchObject({ replaced_set: true, cert: { source: 'own' } });
    expect(await servedFingerprint(HOST, 8443)).toBe(renewed.cert.fingerprint);
    expect(renewed.cert.fingerprint).not.toBe(setResult.cert.fingerprint);
  });
});

describe('the dashboard over HTTPS (hactl dashboard --tls)', () => {
  it('serves with the same certificate, a Secure session cookie, and the certificate in its summary (Chromium, trusting only that key)', async () => {
    const dashboard = await startDashboard(cluster, 19000, '--tls');
    const url = `https://${HOST}:19000/`;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-quic', `--ignore-certificate-errors-spki-list=${spkiHash(readFileSync(join(cluster.dir, '.hactl/tls/own.pem'), 'utf8'))}`],
    });
    try {
      expect(dashboard.log()).toContain(`✓ dashboard: https://${HOST}:19000/`);
      const login = await fetchLogin(url, dashboard.user, dashboard.password);
      expect(login).toMatch(/^hactl_session=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
      const page = await (await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } })).newPage();
      await page.goto(url);
      await page.getByLabel('Password').fill(dashboard.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForSelector('body[data-ready="true"]');
      await eventually('the certificate badge', async () => /^39\d days left$/.test((await page.textContent('#cert')) ?? ''));
      expect(await page.getAttribute('#cert', 'class')).toBe('badge ok');
      expect(await page.getAttribute('#link-https', 'href')).toBe(`${HTTPS}/`);
      const [cookie] = await page.context().cookies();
      expect(cookie).toMatchObject({ name: 'hactl_session', secure: true, httpOnly: true });
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: join(SHOTS, 'dashboard-https.png'), fullPage: true });
    } finally {
      await browser.close();
      await dashboard.stop();
    }
  }, 60_000);
});

/** The Set-Cookie of a login over HTTPS, trusting hactl's CA. */
async function fetchLogin(url: string, user: string, password: string): Promise<string> {
  const { request: httpsRequest } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${url}api/login`, { method: 'POST', ca: ownCa(), headers: { 'content-type': 'application/json', origin: url.slice(0, -1) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.headers['set-cookie']?.[0] ?? `status ${res.statusCode}`)));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ user, password }));
  });
}
