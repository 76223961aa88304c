#!/usr/bin/env node
// npm run bench:tls — HTTPS on lb-web, per engine, against HTTP, side by side in one run.
//
// One private local cluster (2 web nodes, each a private Apache with mod_php as hactl
// runs them; 2 MariaDB masters; sticky; tls: {}), lb-web on 127.0.189.1, web nodes on
// 127.0.187.x, DB nodes on 127.0.188.x. HAProxy is measured first, then `hactl engine
// apache` and the same rows again. The client is wrk (-t2 -c8, GET /health).
//
// Rows, per engine, each over HTTP and HTTPS in alternation (A B, then B A, …), so the
// noise of this shared machine lands on both:
//   new conns   wrk with "Connection: close": every request a new connection, over HTTPS
//               a full handshake (no resumption: wrk keeps no session), so its requests/s
//               is handshakes/s
//   keep-alive  wrk's default: connections kept open (Apache's lb-web has KeepAlive Off:
//               it closes each one after its answer, so its keep-alive row is new
//               connections too, and says so)
//   cert set    under steady HTTPS load (a keep-alive wrk and a new-connection wrk at
//               once), `hactl cert set` of a certificate from a CA of the bench's own at
//               2 s, `hactl cert renew` at 5 s: failed requests of each client (non-2xx +
//               socket errors), how the certificate was swapped, and how long each command took
// failed = wrk's non-2xx/3xx answers + socket errors (connect, read, write, timeout 5 s).
//
// Target (exit code): HAProxy 0 failed requests while the certificate is swapped. Apache's
// figure is printed (a graceful restart), not in the exit code; the throughput rows have
// no target: they print the ratio of HTTPS to HTTP.
//
// Usage: node scripts/bench-tls.mjs [--json] [--rounds N] [--seconds S]
// The cluster is torn down at the end (hactl down --purge), also on failure or Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = new URL('../dist/cli/main.js', import.meta.url).pathname;
const argv = process.argv.slice(2);
const argValue = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const JSON_OUT = argv.includes('--json');
const ROUNDS = Number(argValue('--rounds', 3));
const SECONDS = Number(argValue('--seconds', 6));
if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1)) throw new Error('--rounds takes a whole number ≥ 1');
if (!(SECONDS >= 2)) throw new Error('--seconds takes a number ≥ 2');

const LISTEN = '127.0.189.1';
const PORTS = { http: 8080, https: 8443, stats: 8404, db: 3307, dashboard: 9000 };
const WRK = { threads: 2, connections: 8, timeout: '5s', path: '/health' };
const SWAP_RUN_S = 8;

const log = (...a) => console.error('[bench:tls]', ...a);
const round1 = (x) => Math.round(x * 10) / 10;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const dir = mkdtempSync(join(tmpdir(), 'hactl-bench-tls-'));
chmodSync(dir, 0o711);
const children = new Set();

function hactl(...args) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn('node', [MAIN, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Math.round(performance.now() - started) }));
  });
}

async function must(...args) {
  const r = await hactl(...args);
  if (r.code !== 0) throw new Error(`hactl ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
  return r;
}

function wrk(url, seconds, { close = false } = {}) {
  const args = [`-t${WRK.threads}`, `-c${WRK.connections}`, `-d${seconds}s`, '--timeout', WRK.timeout, ...(close ? ['-H', 'Connection: close'] : []), url];
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) =>
    child.on('close', () => {
      children.delete(child);
      resolve(parseWrk(out));
    }),
  );
}

function parseWrk(text) {
  const rps = Number(text.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? NaN);
  const total = Number(text.match(/(\d+) requests in/)?.[1] ?? NaN);
  const sock = text.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const non2xx = Number(text.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  const errors = sock ? sock.slice(1, 5).reduce((a, b) => a + Number(b), 0) : 0;
  if (Number.isNaN(rps)) throw new Error(`wrk printed no figures:\n${text}`);
  return { rps: Math.round(rps), requests: total, failed: non2xx + errors, non2xx, socket_errors: errors };
}

/** A CA of the bench's own and a certificate it signs for the listen address (what hactl cert set serves). */
function userCertificate() {
  const run = (...args) => {
    const r = spawnSync('openssl', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr}`);
  };
  const f = (n) => join(dir, n);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', f('user-ca.key'), '-out', f('user-ca.crt'), '-days', '2', '-subj', '/CN=bench CA', '-addext', 'basicConstraints=critical,CA:TRUE');
  run('req', '-x509', ...ec, '-keyout', f('user.key'), '-out', f('user.crt'), '-days', '2', '-subj', `/CN=${LISTEN}`, '-addext', `subjectAltName=IP:${LISTEN},DNS:localhost`, '-addext', 'basicConstraints=critical,CA:FALSE', '-CA', f('user-ca.crt'), '-CAkey', f('user-ca.key'));
  chmodSync(f('user.key'), 0o600);
  return { cert: f('user.crt'), key: f('user.key') };
}

const url = (scheme) => `${scheme}://${LISTEN}:${PORTS[scheme]}${WRK.path}`;

/** One engine's throughput rows: HTTP and HTTPS alternated, new connections and keep-alive. */
async function throughput(engine) {
  const rows = {};
  for (const mode of ['new conns', 'keep-alive']) {
    const runs = { http: [], https: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const scheme of round % 2 ? ['https', 'http'] : ['http', 'https']) {
        const r = await wrk(url(scheme), SECONDS, { close: mode === 'new conns' });
        log(`${engine} ${mode} ${scheme} round ${round + 1}: ${r.rps} req/s, ${r.failed} failed`);
        runs[scheme].push(r);
      }
    }
    const http = median(runs.http.map((r) => r.rps));
    const https = median(runs.https.map((r) => r.rps));
    rows[mode] = { http_rps: http, https_rps: https, https_over_http: round1((https / http) * 100) / 100, failed: [...runs.http, ...runs.https].reduce((a, r) => a + r.failed, 0) };
  }
  return rows;
}

/** cert set, then cert renew, under steady HTTPS load (keep-alive and new connections at once). */
async function swapUnderLoad(engine, user) {
  const keepAlive = wrk(url('https'), SWAP_RUN_S);
  const fresh = wrk(url('https'), SWAP_RUN_S, { close: true });
  await sleep(2000);
  const set = await must('cert', 'set', '--cert', user.cert, '--key', user.key, '--json');
  await sleep(Math.max(0, 3000 - set.ms));
  const renew = await must('cert', 'renew', '--json');
  const [ka, nc] = await Promise.all([keepAlive, fresh]);
  const how = (r) => {
    const j = JSON.parse(r.stdout);
    return j.told.includes('set ssl cert site.pem') ? 'runtime API (set ssl cert), no reload' : j.reloaded.includes('lb-web') ? 'graceful restart' : 'none';
  };
  const row = { keep_alive: ka, new_conns: nc, failed: ka.failed + nc.failed, set_ms: set.ms, renew_ms: renew.ms, swapped_by: how(set) };
  log(`${engine} cert set + renew under load: ${row.failed} failed (keep-alive ${ka.failed} of ${ka.requests}, new connections ${nc.failed} of ${nc.requests}); ${row.swapped_by}`);
  return row;
}

async function teardown() {
  for (const c of children) c.kill('SIGKILL');
  await hactl('down', '--purge');
  rmSync(dir, { recursive: true, force: true });
}

process.on('SIGINT', async () => {
  await teardown();
  process.exit(130);
});

async function main() {
  for (const bin of ['wrk', 'openssl']) if (spawnSync(bin, ['--version']).error) throw new Error(`${bin} is not installed (apt-get install ${bin})`);
  writeFileSync(
    join(dir, 'cluster.yaml'),
    `name: benchtls\nruntime: local\nsession_mode: sticky\nlisten: ${LISTEN}\nports: {http: ${PORTS.http}, https: ${PORTS.https}, stats: ${PORTS.stats}, db: ${PORTS.db}, dashboard: ${PORTS.dashboard}}\ntls: {}\ndefaults:\n  web: {host: "127.0.187.{n}"}\n  db: {host: "127.0.188.{n}"}\nweb: [web1, web2]\ndb: [mysql1, mysql2]\n`,
  );
  log(`cluster in ${dir}`);
  await must('up');
  const user = userCertificate();
  const engines = {};
  for (const engine of ['haproxy', 'apache']) {
    if (engine === 'apache') await must('engine', 'apache');
    await sleep(1500);
    engines[engine] = { throughput: await throughput(engine), swap: await swapUnderLoad(engine, user) };
  }
  const result = { machine: { cpus: cpus().length }, rounds: ROUNDS, seconds: SECONDS, wrk: WRK, engines, target: { haproxy_swap_failed: engines.haproxy.swap.failed, met: engines.haproxy.swap.failed === 0 } };
  if (JSON_OUT) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(`\nHTTPS against HTTP on lb-web (wrk -t${WRK.threads} -c${WRK.connections} GET ${WRK.path}, median of ${ROUNDS} rounds of ${SECONDS} s, alternated; ${cpus().length} CPUs)`);
    console.log('engine   row          HTTP req/s  HTTPS req/s  HTTPS/HTTP  failed');
    for (const [engine, e] of Object.entries(engines)) {
      for (const [mode, r] of Object.entries(e.throughput)) {
        const note = engine === 'apache' && mode === 'keep-alive' ? '  (KeepAlive Off: each answer closes)' : mode === 'new conns' ? '  (HTTPS: handshakes/s)' : '';
        console.log(`${engine.padEnd(8)} ${mode.padEnd(12)} ${String(r.http_rps).padStart(10)}  ${String(r.https_rps).padStart(11)}  ${r.https_over_http.toFixed(2).padStart(10)}  ${String(r.failed).padStart(6)}${note}`);
      }
    }
    console.log('\nhactl cert set, then cert renew, under steady HTTPS load (keep-alive and new connections at once)');
    console.log('engine   failed  keep-alive (failed/requests)  new conns (failed/requests)  set     renew   swapped by');
    for (const [engine, e] of Object.entries(engines)) {
      const s = e.swap;
      console.log(`${engine.padEnd(8)} ${String(s.failed).padStart(6)}  ${`${s.keep_alive.failed}/${s.keep_alive.requests}`.padStart(28)}  ${`${s.new_conns.failed}/${s.new_conns.requests}`.padStart(27)}  ${`${s.set_ms} ms`.padStart(6)}  ${`${s.renew_ms} ms`.padStart(6)}  ${s.swapped_by}`);
    }
    console.log(`\ntarget: HAProxy 0 failed requests while the certificate is swapped: ${result.target.met ? 'met' : 'MISSED'}`);
  }
  return result.target.met;
}

main()
  .then(async (met) => {
    await teardown();
    process.exit(met ? 0 : 1);
  })
  .catch(async (err) => {
    console.error(err);
    await teardown();
    process.exit(1);
  });
