#!/usr/bin/env node
// npm run bench:engines — lb-web on HAProxy and on Apache, side by side, in one run.
//
// Two private local clusters run at once, built alike (3 web nodes, each a private
// Apache with mod_php, prefork, as hactl runs them; 2 MariaDB masters, sticky sessions, the same health settings), one per
// engine:
//   haproxy: lb-web 127.0.190.1, web nodes 127.0.192.x, DB nodes 127.0.194.x
//   apache:  lb-web 127.0.191.1, web nodes 127.0.193.x, DB nodes 127.0.195.x
// The same client (wrk, -t2 -c8, GET /health) measures both, one engine after the
// other, round by round (A B, then B A, …), so the noise of this shared machine
// lands on both.
//
// Why two clusters and not one cluster plus a second Apache in front of the same
// nodes: the rows that matter most are hactl's own (how each engine, as hactl runs
// it, takes a dead node out and adds and removes one under load, and what
// `hactl status` says meanwhile). A hand-started Apache beside a HAProxy cluster
// would not be hactl's Apache engine: `add web` and `remove web` would not reach it,
// nor `hactl status`. So each engine gets its own nodes — the same program, app,
// settings and number of children, on the same machine, measured in alternation —
// and each cluster's own "direct to web1" row, taken in the same rounds, shows
// what its backends give without a balancer: the added latency of each engine is
// counted against its own backends, and the two direct rows show the backends
// alike.
//
// Rows, per engine:
//   direct      wrk straight to web1 (no balancer), the backend's own figure
//   lb-web      wrk through lb-web; "+p50" = its p50 minus the direct p50 of the same round
//   kill -9     wrk through lb-web while web1's process group is killed (kill -9 -PGID);
//               failed requests, and the time until `hactl status` reports web1 out of
//               rotation (nodes[].status DOWN: HAProxy's show stat, Apache's balancer-manager),
//               read with the code `hactl status --json` runs (statusReader) in a loop;
//               then `hactl start web1` brings it back before the next round
//   add web     wrk through lb-web while `hactl add web web4` runs (1 s before and after)
//   remove web  the same for `hactl remove web web4 --timeout 5`; `hactl clean` after it
//   memory      PSS and RSS of lb-web's whole process group from /proc (idle, and the
//               largest reading under load)
//   engine      (haproxy cluster, last) `hactl engine apache` then `hactl engine haproxy`
//               under load: the gap hactl prints, the gap a probe client saw (one new
//               connection every 5 ms: first failed request to the end of the last), and
//               wrk's failures (which count every refused or reset reconnection attempt)
// failed = wrk's non-2xx/3xx answers + socket errors (connect, read, write, timeout 5 s).
//
// Targets (exit code): HAProxy 0 failed in every row, and +p50 ≤ 1 ms (median of
// the rounds). Apache's figures are printed with its own expectations (0 failed on
// add/remove web: graceful restarts with KeepAlive Off; kill -9 loses the requests in
// flight on the killed node, see docs/research/apache-engine.md section 4), not in
// the exit code. The engine switch has no target: it prints the gap.
//
// Usage: node scripts/bench-engines.mjs [--json] [--rounds N] [--seconds S] [--no-switch] [--keep-logs]
//   --json       one JSON document on stdout (progress stays on stderr)
//   --rounds N   rounds of each measurement (default 3)
//   --seconds S  length of each throughput run (default 8)
//   --no-switch  skip the engine-switch rows
//   --keep-logs  copy both clusters' .hactl/log before the teardown (done anyway when a target is missed)
// Both clusters are torn down at the end (hactl down --purge), also on failure or Ctrl-C.
// Exit 0 when HAProxy's targets hold, 1 otherwise (everything is still printed).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, hostname, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

const DIST = new URL('../dist/', import.meta.url).pathname;
const MAIN = join(DIST, 'cli/main.js');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const argValue = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const JSON_OUT = flag('--json');
const KEEP_LOGS = flag('--keep-logs');
const ROUNDS = Number(argValue('--rounds', 3));
const SECONDS = Number(argValue('--seconds', 8));
const SWITCH = !flag('--no-switch');
if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1)) throw new Error('--rounds takes a whole number ≥ 1');
if (!(SECONDS >= 2)) throw new Error('--seconds takes a number ≥ 2');

const WRK = { threads: 2, connections: 8, timeout: '5s', path: '/health' };
const PORTS = { http: 8080, stats: 8404, db: 3307, dashboard: 9000 };
// The kill lands this long into a run, which lasts KILL_RUN_S in all.
const KILL_AT_MS = 3_000;
const KILL_RUN_S = 10;
// wrk runs this long before and after an add/remove/engine operation.
const OP_MARGIN_MS = 1_000;
const ENGINE_LABEL = { haproxy: 'HAProxy', apache: 'Apache' };

const ENGINES = [
  { engine: 'haproxy', name: 'benchha', listen: '127.0.190.1', web: '127.0.192', db: '127.0.194' },
  { engine: 'apache', name: 'benchap', listen: '127.0.191.1', web: '127.0.193', db: '127.0.195' },
];
for (const e of ENGINES) {
  e.dir = mkdtempSync(join(tmpdir(), `hactl-bench-engines-${e.engine}-`));
  e.file = join(e.dir, 'cluster.yaml');
  e.site = `http://${e.listen}:${PORTS.http}${WRK.path}`;
  e.direct = `http://${e.web}.1:8000${WRK.path}`;
  writeFileSync(
    e.file,
    `name: ${e.name}
runtime: local
balancer: {engine: ${e.engine}}
session_mode: sticky
listen: ${e.listen}
ports: {http: ${PORTS.http}, stats: ${PORTS.stats}, db: ${PORTS.db}, dashboard: ${PORTS.dashboard}}
defaults:
  web: {host: "${e.web}.{n}"}
  db: {host: "${e.db}.{n}"}
web: [web1, web2, web3]
db: [mysql1, mysql2]
`,
  );
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();
const log = (msg) => process.stderr.write(`[${(now() / 1000).toFixed(1).padStart(5)}s] ${msg}\n`);
const round1 = (x) => (Number.isFinite(x) ? Math.round(x * 10) / 10 : null);
const round2 = (x) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : null);
const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ---------------------------------------------------------------- hactl

const children = new Set();

/** Runs the compiled CLI in one cluster's folder, asynchronously (wrk keeps running); its progress goes to our stderr. */
function hactl(e, ...args) {
  return new Promise((resolve) => {
    const start = now();
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: e.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      for (const line of String(d).split('\n')) if (line.trim()) process.stderr.write(`          ${e.engine}: ${line}\n`);
    });
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, start, end: now(), ms: Math.round(now() - start), stdout, stderr });
    });
  });
}

async function must(e, ...args) {
  const r = await hactl(e, ...args);
  if (r.code !== 0) throw new Error(`${e.engine}: hactl ${args.join(' ')} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  return r;
}

// `hactl status --json`'s own reading (statusReader: the project opened once, DB connections kept), in-process:
// a new hactl process per reading would take ~0.5 s on this machine, longer than what is measured.
const { statusReader } = await import(join(DIST, 'ops/status.js'));
const { projectFor } = await import(join(DIST, 'ops/project.js'));
const { execaRunner } = await import(join(DIST, 'util/runner.js'));
const { conditionOf } = await import(join(DIST, 'status/model.js'));

async function readerOf(e) {
  e.reader ??= await statusReader(projectFor(e.file), undefined, execaRunner);
  return e.reader;
}

async function status(e) {
  return (await (await readerOf(e)).read()).status;
}

const webNode = (s, name) => s.nodes.find((n) => n.type === 'web' && n.name === name);

async function waitFor(e, what, test, limitMs) {
  const until = now() + limitMs;
  let last;
  while (now() < until) {
    try {
      last = await status(e);
      if (test(last)) return last;
    } catch (err) {
      last = err;
    }
    await sleep(200);
  }
  throw new Error(`${e.engine}: ${what} not reached in ${limitMs} ms (last reading: ${last instanceof Error ? last.message : JSON.stringify(last?.nodes?.map((n) => `${n.name} ${n.status}`))})`);
}

const healthy = (e) => waitFor(e, 'healthy', (s) => s.health === 'healthy', 60_000);

// ---------------------------------------------------------------- wrk

/** Starts wrk; `stop()` sends SIGINT (wrk then prints its figures); `done` resolves to the parsed figures. */
function wrk(url, durationS) {
  const args = [`-t${WRK.threads}`, `-c${WRK.connections}`, `-d${durationS}s`, `--timeout`, WRK.timeout, '--latency', url];
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const started = now();
  const done = new Promise((resolve) => {
    child.on('close', (code) => {
      children.delete(child);
      resolve({ ...parseWrk(out), exit: code, wall_ms: Math.round(now() - started), url });
    });
  });
  return { done, stop: () => child.kill('SIGINT') };
}

const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const toMs = (v, unit) => Number(v) * UNIT_MS[unit];

function parseWrk(text) {
  const pct = (p) => {
    const m = text.match(new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m|h)\\s*$`, 'm'));
    return m ? toMs(m[1], m[2]) : NaN;
  };
  const req = text.match(/(\d+) requests in ([\d.]+)(us|ms|s|m|h)/);
  const sock = text.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const non2xx = Number(text.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  const errors = sock ? { connect: +sock[1], read: +sock[2], write: +sock[3], timeout: +sock[4] } : { connect: 0, read: 0, write: 0, timeout: 0 };
  const requests = req ? Number(req[1]) : NaN;
  const seconds = req ? toMs(req[2], req[3]) / 1000 : NaN;
  return {
    requests,
    seconds: round2(seconds),
    rps: Math.round(requests / seconds),
    p50_ms: round2(pct(50)),
    p99_ms: round2(pct(99)),
    non2xx,
    socket_errors: errors,
    failed: non2xx + errors.connect + errors.read + errors.write + errors.timeout,
    parsed: !!req,
    raw: req ? undefined : text,
  };
}

// ---------------------------------------------------------------- memory

/** PSS and RSS (kB) of every process in a process group, from /proc; threads counted too. */
function groupMemory(pgid) {
  let pss = 0;
  let rss = 0;
  let procs = 0;
  let threads = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command (which may hold spaces): state ppid pgrp …
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      pss += Number(rollup.match(/^Pss:\s+(\d+) kB/m)?.[1] ?? 0);
      rss += Number(rollup.match(/^Rss:\s+(\d+) kB/m)?.[1] ?? 0);
      threads += Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Threads:\s+(\d+)/m)?.[1] ?? 0);
      procs++;
    } catch {
      // gone meanwhile
    }
  }
  return { pss_mb: round1(pss / 1024), rss_mb: round1(rss / 1024), processes: procs, threads };
}

async function lbWebMemory(e) {
  const s = await status(e);
  const lb = s.balancers.find((b) => b.name === 'lb-web');
  return lb?.pgid ? groupMemory(lb.pgid) : null;
}

// ---------------------------------------------------------------- measurements

const order = (round) => (round % 2 === 0 ? ENGINES : [...ENGINES].reverse());

/** Throughput and latency, direct and through lb-web, ROUNDS rounds alternating the engines' order. */
async function throughput(results) {
  for (let round = 0; round < ROUNDS; round++) {
    for (const e of order(round)) {
      log(`round ${round + 1}/${ROUNDS}: ${e.engine} direct to web1 (${SECONDS} s)`);
      results[e.engine].direct.push(await wrk(e.direct, SECONDS).done);
    }
    for (const e of order(round)) {
      log(`round ${round + 1}/${ROUNDS}: ${e.engine} through lb-web (${SECONDS} s)`);
      const run = wrk(e.site, SECONDS);
      // Memory under load: read halfway through the run.
      await sleep((SECONDS * 1000) / 2);
      results[e.engine].memory_load.push(await lbWebMemory(e));
      const r = await run.done;
      r.added_p50_ms = round2(r.p50_ms - results[e.engine].direct.at(-1).p50_ms);
      results[e.engine].lb.push(r);
    }
  }
}

/** kill -9 of web1's process group under load: failed requests, and when status says it is out of rotation. */
async function killRound(e) {
  const before = await status(e);
  const web1 = webNode(before, 'web1');
  if (!web1?.pgid || conditionOf(web1.status) !== 'up') throw new Error(`${e.engine}: web1 is not UP with a process group before the kill (${web1?.status})`);
  log(`${e.engine}: kill -9 -${web1.pgid} (web1) ${KILL_AT_MS} ms into a ${KILL_RUN_S} s run`);
  const run = wrk(e.site, KILL_RUN_S);
  await sleep(KILL_AT_MS);
  const killedAt = now();
  process.kill(-web1.pgid, 'SIGKILL');
  // Poll until the balancer reports web1 DOWN. Each reading's start and end bound the moment.
  let outMs = null;
  let resolutionMs = null;
  let seen = null;
  let prevStart = killedAt;
  const limit = killedAt + (KILL_RUN_S * 1000 - KILL_AT_MS) - 500;
  const readings = [];
  while (now() < limit) {
    const t = now();
    const s = await status(e);
    const n = webNode(s, 'web1');
    readings.push(now() - t);
    if (conditionOf(n.status) === 'down') {
      outMs = Math.round(now() - killedAt);
      resolutionMs = Math.round(now() - prevStart);
      seen = `${n.status}${n.flags ? ` (${n.flags})` : ''}, ${n.check}`;
      break;
    }
    prevStart = t;
  }
  const r = await run.done;
  r.out_of_rotation_ms = outMs;
  r.out_resolution_ms = resolutionMs;
  r.status_seen = seen;
  r.status_reading_ms = Math.round(median(readings));
  log(`${e.engine}: kill -9: ${r.failed} failed of ${r.requests}; out of rotation after ${outMs ?? '-'} ms (${seen ?? 'never seen DOWN'})`);
  const start = await must(e, 'start', 'web1');
  const back = now();
  await waitFor(e, 'web1 UP again', (s) => conditionOf(webNode(s, 'web1').status) === 'up', 30_000);
  r.back_in_rotation_ms = Math.round(now() - back);
  r.start_ms = start.ms;
  await healthy(e);
  return r;
}

/** One hactl operation under load: wrk from OP_MARGIN_MS before it until OP_MARGIN_MS after it. */
async function underLoad(e, args) {
  const run = wrk(e.site, 600);
  await sleep(OP_MARGIN_MS);
  log(`${e.engine}: hactl ${args.join(' ')} under load`);
  const op = await hactl(e, ...args);
  await sleep(OP_MARGIN_MS);
  run.stop();
  const r = await run.done;
  r.op = args.join(' ');
  r.op_exit = op.code;
  r.op_ms = op.ms;
  r.op_stdout = op.stdout;
  if (op.code !== 0) r.op_error = op.stderr.trim().split('\n').slice(-3).join(' / ');
  log(`${e.engine}: hactl ${r.op}: exit ${op.code} in ${op.ms} ms; ${r.failed} failed of ${r.requests}`);
  return r;
}

async function addRemoveRound(e, results) {
  results[e.engine].add.push(await underLoad(e, ['add', 'web', 'web4']));
  results[e.engine].remove.push(await underLoad(e, ['remove', 'web', 'web4', '--timeout', '5']));
  await must(e, 'clean');
  await healthy(e);
}

/** The gap `hactl engine` prints, from its --json answer (outages[]) or its sentence. */
function gapOf(stdout) {
  try {
    const doc = JSON.parse(stdout);
    const walk = (x) => {
      if (Array.isArray(x)) return x.map(walk).find((v) => v !== undefined);
      if (x && typeof x === 'object') {
        if (x.process === 'lb-web' && Number.isFinite(x.ms)) return x.ms;
        return Object.values(x).map(walk).find((v) => v !== undefined);
      }
      return undefined;
    };
    const ms = walk(doc);
    if (ms !== undefined) return ms;
  } catch {
    // not JSON: the sentence
  }
  const m = stdout.match(/did not answer for ([\d.]+) s/);
  return m ? Math.round(Number(m[1]) * 1000) : null;
}

/**
 * A client beside wrk that sees the gap: GET on a new connection every PROBE_EVERY_MS,
 * each answer timed; the gap is from the start of the first failed request to the end
 * of the last one.
 */
const PROBE_EVERY_MS = 5;
function probe(url) {
  let running = true;
  const seen = [];
  const once = () =>
    new Promise((resolve) => {
      const start = now();
      const req = http.get(url, { agent: false, headers: { Connection: 'close' }, timeout: 2_000 }, (res) => {
        res.resume();
        res.on('end', () => resolve({ start, end: now(), ok: res.statusCode >= 200 && res.statusCode < 400 }));
        res.on('error', () => resolve({ start, end: now(), ok: false }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve({ start, end: now(), ok: false }));
    });
  const loop = (async () => {
    while (running) {
      seen.push(await once());
      await sleep(PROBE_EVERY_MS);
    }
  })();
  return async () => {
    running = false;
    await loop;
    const failed = seen.filter((x) => !x.ok);
    return {
      requests: seen.length,
      failed: failed.length,
      gap_ms: failed.length ? Math.round(Math.max(...failed.map((x) => x.end)) - Math.min(...failed.map((x) => x.start))) : 0,
    };
  };
}

async function switchRounds(results) {
  const e = ENGINES[0];
  for (let round = 0; round < ROUNDS; round++) {
    for (const to of ['apache', 'haproxy']) {
      const stopProbe = probe(e.site);
      const r = await underLoad(e, ['engine', to, '--json']);
      r.probe = await stopProbe();
      r.to = to;
      r.gap_ms = gapOf(r.op_stdout);
      results.switch.push(r);
      if (r.op_exit !== 0) throw new Error(`hactl engine ${to} exited ${r.op_exit}: ${r.op_error}`);
      await healthy(e);
    }
  }
}

// ---------------------------------------------------------------- report

function summarize(results) {
  const out = {};
  for (const { engine } of ENGINES) {
    const r = results[engine];
    const pick = (runs, key) => median(runs.map((x) => x[key]));
    const sum = (runs) => runs.reduce((a, x) => a + x.failed, 0);
    const total = (runs) => runs.reduce((a, x) => a + x.requests, 0);
    const loadMem = r.memory_load.filter(Boolean).sort((a, b) => b.pss_mb - a.pss_mb)[0] ?? null;
    out[engine] = {
      direct: { rps: pick(r.direct, 'rps'), p50_ms: round2(pick(r.direct, 'p50_ms')), p99_ms: round2(pick(r.direct, 'p99_ms')), failed: sum(r.direct), requests: total(r.direct) },
      lb: {
        rps: pick(r.lb, 'rps'),
        p50_ms: round2(pick(r.lb, 'p50_ms')),
        p99_ms: round2(pick(r.lb, 'p99_ms')),
        added_p50_ms: round2(pick(r.lb, 'added_p50_ms')),
        added_p50_each: r.lb.map((x) => x.added_p50_ms),
        failed: sum(r.lb),
        requests: total(r.lb),
      },
      kill: {
        failed_each: r.kill.map((x) => x.failed),
        requests_each: r.kill.map((x) => x.requests),
        failed: sum(r.kill),
        out_ms_each: r.kill.map((x) => x.out_of_rotation_ms),
        out_resolution_ms_each: r.kill.map((x) => x.out_resolution_ms),
        back_ms_each: r.kill.map((x) => x.back_in_rotation_ms),
        status_seen: r.kill.map((x) => x.status_seen),
      },
      add: { failed_each: r.add.map((x) => x.failed), requests_each: r.add.map((x) => x.requests), op_ms_each: r.add.map((x) => x.op_ms), exits: r.add.map((x) => x.op_exit) },
      remove: { failed_each: r.remove.map((x) => x.failed), requests_each: r.remove.map((x) => x.requests), op_ms_each: r.remove.map((x) => x.op_ms), exits: r.remove.map((x) => x.op_exit) },
      memory_idle: r.memory_idle,
      memory_load: loadMem,
    };
  }
  return out;
}

function verdict(summary, results) {
  const h = summary.haproxy;
  const misses = [];
  if (h.direct.failed) misses.push(`direct: ${h.direct.failed} failed`);
  if (h.lb.failed) misses.push(`lb-web: ${h.lb.failed} failed`);
  if (!(h.lb.added_p50_ms <= 1)) misses.push(`+p50 ${h.lb.added_p50_ms} ms > 1 ms`);
  if (h.kill.failed) misses.push(`kill -9: ${h.kill.failed} failed`);
  if (h.kill.out_ms_each.some((x) => x === null)) misses.push('kill -9: web1 never reported DOWN');
  for (const op of ['add', 'remove']) {
    const f = h[op].failed_each.reduce((a, b) => a + b, 0);
    if (f) misses.push(`${op} web: ${f} failed`);
    if (h[op].exits.some((x) => x !== 0)) misses.push(`${op} web: hactl exited ${h[op].exits.join(',')}`);
  }
  const a = summary.apache;
  const apacheNotes = [];
  for (const op of ['add', 'remove']) {
    const f = a[op].failed_each.reduce((x, y) => x + y, 0);
    apacheNotes.push(`${op} web ${f === 0 ? '0 failed (as expected with KeepAlive Off)' : `${f} failed (expected 0)`}`);
    if (a[op].exits.some((x) => x !== 0)) apacheNotes.push(`${op} web: hactl exited ${a[op].exits.join(',')}`);
  }
  apacheNotes.push(`kill -9 ${a.kill.failed_each.join(', ')} failed per kill (the requests in flight on the killed node; research: 1–14)`);
  if (a.lb.failed) apacheNotes.push(`lb-web: ${a.lb.failed} failed in the throughput runs`);
  const switchNotes = [];
  if (results.switch.length) {
    switchNotes.push(`no target; gaps ${results.switch.map((x) => x.gap_ms).join(', ')} ms as hactl printed them, ${results.switch.map((x) => x.probe.gap_ms).join(', ')} ms as the probe saw them`);
  }
  return { ok: misses.length === 0, misses, apache: apacheNotes, switch: switchNotes };
}

const fmtN = (x) => (x === null || x === undefined || Number.isNaN(x) ? '-' : x >= 10_000 ? `${round1(x / 1000)}k` : String(x));
const list = (xs) => xs.map((x) => (x === null || x === undefined ? '-' : String(x))).join(', ');

function printTable(report) {
  const { summary: s, config: c } = report;
  const h = s.haproxy;
  const a = s.apache;
  const rows = [
    ['', ENGINE_LABEL.haproxy, ENGINE_LABEL.apache],
    ['direct to web1: req/s, p50/p99', `${fmtN(h.direct.rps)}, ${h.direct.p50_ms}/${h.direct.p99_ms} ms`, `${fmtN(a.direct.rps)}, ${a.direct.p50_ms}/${a.direct.p99_ms} ms`],
    ['through lb-web: req/s, p50/p99', `${fmtN(h.lb.rps)}, ${h.lb.p50_ms}/${h.lb.p99_ms} ms`, `${fmtN(a.lb.rps)}, ${a.lb.p50_ms}/${a.lb.p99_ms} ms`],
    ['added p50 (median; each round)', `${h.lb.added_p50_ms} ms (${list(h.lb.added_p50_each)})`, `${a.lb.added_p50_ms} ms (${list(a.lb.added_p50_each)})`],
    ['failed, throughput runs', `${h.direct.failed + h.lb.failed} of ${fmtN(h.direct.requests + h.lb.requests)}`, `${a.direct.failed + a.lb.failed} of ${fmtN(a.direct.requests + a.lb.requests)}`],
    ['kill -9 web1: failed per run', `${list(h.kill.failed_each)} (of ${list(h.kill.requests_each.map(fmtN))})`, `${list(a.kill.failed_each)} (of ${list(a.kill.requests_each.map(fmtN))})`],
    ['  out of rotation after (ms)', `${list(h.kill.out_ms_each)} (±${list(h.kill.out_resolution_ms_each)})`, `${list(a.kill.out_ms_each)} (±${list(a.kill.out_resolution_ms_each)})`],
    ['  UP once hactl start returned', `${list(h.kill.back_ms_each)} ms`, `${list(a.kill.back_ms_each)} ms`],
    ['add web web4: failed per run', `${list(h.add.failed_each)} (of ${list(h.add.requests_each.map(fmtN))})`, `${list(a.add.failed_each)} (of ${list(a.add.requests_each.map(fmtN))})`],
    ['  hactl add web took (ms)', list(h.add.op_ms_each), list(a.add.op_ms_each)],
    ['remove web web4: failed per run', `${list(h.remove.failed_each)} (of ${list(h.remove.requests_each.map(fmtN))})`, `${list(a.remove.failed_each)} (of ${list(a.remove.requests_each.map(fmtN))})`],
    ['  hactl remove web took (ms)', list(h.remove.op_ms_each), list(a.remove.op_ms_each)],
    ['memory idle: PSS (RSS), procs/threads', memText(h.memory_idle), memText(a.memory_idle)],
    ['memory under load (largest)', memText(h.memory_load), memText(a.memory_load)],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log(
    `hactl bench:engines — ${c.date}, ${c.host}: ${c.cpus} × ${c.cpu_model}, ${c.mem_gb} GB, load average ${c.loadavg} at the start; ` +
      `${c.haproxy}, ${c.apache}; wrk -t${WRK.threads} -c${WRK.connections} --timeout ${WRK.timeout} on GET ${WRK.path}; ` +
      `${ROUNDS} round${ROUNDS === 1 ? '' : 's'} of ${SECONDS} s, engines alternating; 3 web nodes (Apache + mod_php, prefork) per cluster\n`,
  );
  for (const r of rows) console.log(`${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`);
  if (report.switch.length) {
    console.log(`\nhactl engine under load (the haproxy cluster, wrk through lb-web from ${OP_MARGIN_MS} ms before to ${OP_MARGIN_MS} ms after):`);
    for (const r of report.switch) {
      console.log(
        `  engine ${r.to.padEnd(8)} gap ${String(r.gap_ms ?? '-').padStart(5)} ms as hactl prints it, ${String(r.probe.gap_ms).padStart(5)} ms as the probe saw it ` +
          `(${r.probe.failed} of its ${r.probe.requests} requests failed); command ${r.op_ms} ms; wrk: ${r.failed} failed of ${r.requests} (${errText(r)})`,
      );
    }
  }
  console.log(`
req/s, p50/p99: median of the ${ROUNDS} rounds; added p50 = lb-web's p50 minus web1's direct p50 of the same engine's cluster in the same round.
failed = wrk's non-2xx/3xx answers + socket errors (connect, read, write, timeout ${WRK.timeout}); kill runs last ${KILL_RUN_S} s, the kill at ${KILL_AT_MS / 1000} s.
out of rotation = from kill -9 -PGID to the end of the first status reading (the code of hactl status --json) with web1 DOWN; ± = that reading plus the one before.
UP once hactl start returned = from \`hactl start web1\` returning to the first status reading with web1 UP.
memory = lb-web's whole process group: HAProxy's master and worker, Apache's parent and children (PSS from /proc/PID/smaps_rollup).`);
  for (const e of ENGINES) {
    const failures = [...report.results[e.engine].kill, ...report.results[e.engine].add, ...report.results[e.engine].remove, ...report.results[e.engine].lb].filter((x) => x.failed);
    for (const f of failures) console.log(`  ${e.engine}: ${f.op ?? (f.out_of_rotation_ms !== undefined ? 'kill -9' : 'lb-web')}: ${errText(f)}`);
  }
  const v = report.verdict;
  console.log(`\nApache: ${v.apache.join('; ')}.`);
  if (v.switch.length) console.log(`Engine switch: ${v.switch.join('; ')}.`);
  console.log(`${v.ok ? 'OK' : 'MISS'}: HAProxy ${v.ok ? '0 failed in every row, added p50 ≤ 1 ms' : v.misses.join('; ')}`);
}

function memText(m) {
  return m ? `${m.pss_mb} MB (${m.rss_mb} MB), ${m.processes}/${m.threads}` : '-';
}

function errText(r) {
  const e = r.socket_errors;
  return `non-2xx ${r.non2xx}, connect ${e.connect}, read ${e.read}, write ${e.write}, timeout ${e.timeout}`;
}

function versions() {
  const hap = spawnSync('haproxy', ['-v'], { encoding: 'utf8' }).stdout?.match(/version (\S+)/)?.[1];
  const ap = spawnSync('apache2', ['-v'], { encoding: 'utf8' }).stdout?.match(/Apache\/(\S+)/)?.[1];
  return { haproxy: `HAProxy ${hap ?? '?'}`, apache: `Apache ${ap ?? '?'}` };
}

// ---------------------------------------------------------------- main

let tornDown = false;

/** Stops both clusters and deletes their folders; keeps the logs first when asked or when something went wrong. */
function teardown(keepLogs) {
  if (tornDown) return;
  tornDown = true;
  for (const e of ENGINES) {
    e.reader?.close();
    if (keepLogs) {
      const logs = mkdtempSync(join(tmpdir(), `hactl-bench-engines-${e.engine}-logs-`));
      try {
        cpSync(join(e.dir, '.hactl/log'), logs, { recursive: true });
        cpSync(e.file, join(logs, 'cluster.yaml'));
        log(`${e.engine}: logs kept in ${logs}`);
      } catch (err) {
        log(`${e.engine}: could not keep the logs: ${err.message}`);
      }
    }
    log(`${e.engine}: down --purge`);
    const r = spawnSync(process.execPath, [MAIN, 'down', '--purge'], { cwd: e.dir, encoding: 'utf8', timeout: 120_000 });
    if (r.status === 0) rmSync(e.dir, { recursive: true, force: true });
    else log(`${e.engine}: down --purge exited ${r.status}; left ${e.dir} in place: ${r.stderr}`);
  }
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    log(`${sig}: tearing down`);
    for (const child of children) child.kill('SIGTERM');
    teardown(KEEP_LOGS);
    process.exit(130);
  });
}

async function main() {
  const config = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    host: hostname(),
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? '?',
    mem_gb: Math.round(totalmem() / 2 ** 30),
    loadavg: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    ...versions(),
    rounds: ROUNDS,
    seconds: SECONDS,
    wrk: WRK,
    clusters: ENGINES.map(({ engine, listen, web, db, dir }) => ({ engine, listen, web: `${web}.x`, db: `${db}.x`, dir })),
  };
  const results = { switch: [] };
  for (const e of ENGINES) {
    results[e.engine] = { direct: [], lb: [], kill: [], add: [], remove: [], memory_load: [] };
    log(`${e.engine}: up in ${e.dir}`);
    await must(e, 'up');
  }
  for (const e of ENGINES) {
    await healthy(e);
    results[e.engine].memory_idle = await lbWebMemory(e);
  }
  // A short warm-up of both, not counted.
  for (const e of ENGINES) await wrk(e.site, 2).done;

  await throughput(results);
  for (let round = 0; round < ROUNDS; round++) for (const e of order(round)) results[e.engine].kill.push(await killRound(e));
  for (let round = 0; round < ROUNDS; round++) for (const e of order(round)) await addRemoveRound(e, results);
  if (SWITCH) await switchRounds(results);

  const summary = summarize(results);
  for (const e of ENGINES) for (const runs of Object.values(results[e.engine])) if (Array.isArray(runs)) for (const r of runs) delete r?.op_stdout;
  for (const r of results.switch) delete r.op_stdout;
  return { config, summary, results, switch: results.switch, verdict: verdict(summary, results) };
}

let report = null;
try {
  report = await main();
} catch (e) {
  log(`bench failed: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  teardown(KEEP_LOGS || !report?.verdict.ok);
}
if (report) {
  if (JSON_OUT) console.log(JSON.stringify({ ...report, switch: undefined }, null, 2));
  else printTable(report);
  process.exitCode = report.verdict.ok ? 0 : 1;
}
