#!/usr/bin/env node
// npm run bench:cli — issue 12's speed targets for the CLI itself, on a private
// 2+2 local cluster (loopback addresses 127.0.65.1, 127.0.75.x, 127.0.85.x and
// ports 28080/28404/23307/29000/28405 only; `runtime: local` in its cluster.yaml,
// so every command runs without flags, as a user types it).
//
// Every round runs each command once, one after another, starting with
// `node -e 0`: machine noise then lands on every command alike, and the --help
// target is judged pair by pair against the `node -e 0` of the same round.
// One warm-up round is not counted. Commands are run as `node dist/cli/main.js`,
// what bin/hactl execs once the build is fresh.
//
// Usage: node scripts/bench-cli.mjs [--runs N] [--strict]
//   --runs N   counted rounds (default 7)
//   --strict   exit 1 when a target is missed (default: print the figures, exit 0)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = new URL('../dist/cli/main.js', import.meta.url).pathname;
const STRICT = process.argv.includes('--strict');
const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt === -1 ? 7 : Number(process.argv[runsAt + 1]);
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 100) throw new Error(`--runs: ${process.argv[runsAt + 1]} is not a whole number from 1 to 100`);

const dir = mkdtempSync(join(tmpdir(), 'hactl-bench-cli-'));
writeFileSync(
  join(dir, 'cluster.yaml'),
  `name: benchcli
runtime: local
session_mode: sticky
listen: 127.0.65.1
ports: {http: 28080, stats: 28404, db: 23307, dashboard: 29000, peers: 28405, db_peers: 28406}
defaults:
  web: {host: "127.0.75.{n}"}
  db: {host: "127.0.85.{n}"}
web: [web1, web2]
db: [mysql1, mysql2]
`,
);

const log = (msg) => process.stderr.write(`${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let currentChild = null;

/** Runs one process to its end and times it from spawn to its last output; never rejects. */
function timed(bin, args) {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn(bin, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    currentChild = child;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) => (stderr += String(err)));
    child.on('close', (code) => {
      currentChild = null;
      resolve({ code, ms: performance.now() - start, stdout, stderr });
    });
  });
}

const hactl = (...args) => timed(process.execPath, [MAIN, ...args]);

/** hactl that must succeed (status may also say "degraded", exit 3: its timing still counts). */
async function mustHactl(args, okCodes = [0]) {
  const r = await hactl(...args);
  if (!okCodes.includes(r.code)) throw new Error(`hactl ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
  return r;
}

async function waitHealthy(limitMs) {
  const until = performance.now() + limitMs;
  while (performance.now() < until) {
    if ((await hactl('status', '--json')).code === 0) return;
    await sleep(250);
  }
  throw new Error(`the cluster is not healthy after ${limitMs} ms`);
}

// ---------------------------------------------------------------- teardown

let tornDown = false;

function teardown() {
  if (tornDown) return;
  tornDown = true;
  log('down --purge');
  const r = spawnSync(process.execPath, [MAIN, 'down', '--purge'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  if (r.status === 0) rmSync(dir, { recursive: true, force: true });
  else log(`down --purge exited ${r.status}; left ${dir} in place: ${r.stderr}`);
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    log(`${sig}: tearing down`);
    currentChild?.kill('SIGTERM');
    teardown();
    process.exit(130);
  });
}

// ---------------------------------------------------------------- the rows

/**
 * One row per command, in the order a round runs them. `target` in ms, or
 * `ratio` against `node -e 0` of the same round. `okCodes`: exit codes that
 * are a normal answer (status is 3 while a node is drained or coming back).
 */
const ROWS = [
  { label: 'node -e 0', run: () => timed(process.execPath, ['-e', '0']) },
  { label: 'hactl --help', args: ['--help'], ratio: 2 },
  { label: 'hactl status --json', args: ['status', '--json'], target: 250, okCodes: [0, 1, 3] },
  { label: 'hactl drain web1', args: ['drain', 'web1'], target: 300 },
  { label: 'hactl enable web1 (after drain)', args: ['enable', 'web1'], target: 300 },
  { label: 'hactl disable web1', args: ['disable', 'web1'], target: 300 },
  { label: 'hactl enable web1 (after disable)', args: ['enable', 'web1'], target: 300 },
  { label: 'hactl weight web1 50', args: ['weight', 'web1', '50'], target: 300 },
  { label: 'hactl weight web1 100', args: ['weight', 'web1', '100'], target: 300 },
  { label: 'hactl up (no-op)', args: ['up'], target: 500 },
  { label: 'hactl add web web3', args: ['add', 'web', 'web3'], target: 3000 },
  { label: 'hactl remove web web3 --timeout 0', args: ['remove', 'web', 'web3', '--timeout', '0'], target: null },
];

async function round() {
  const ms = [];
  for (const row of ROWS) {
    const r = row.run ? await row.run() : await mustHactl(row.args, row.okCodes);
    if (row.run && r.code !== 0) throw new Error(`${row.label} exited ${r.code}: ${r.stderr}`);
    ms.push(r.ms);
  }
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);

function report(rounds) {
  const column = (i) => rounds.map((r) => r[i]);
  const baseline = column(0);
  const lines = ROWS.map((row, i) => {
    const xs = column(i);
    const m = median(xs);
    let target = '';
    let pass = null;
    if (row.ratio !== undefined) {
      // Pair by pair: each --help against the `node -e 0` run just before it.
      const ratio = median(xs.map((x, k) => x / baseline[k]));
      target = `≤ ${row.ratio}× node -e 0 (now ${ratio.toFixed(2)}×)`;
      pass = ratio <= row.ratio;
    } else if (row.target) {
      target = `≤ ${fmt(row.target)}`;
      pass = m <= row.target;
    }
    return [row.label, fmt(m), fmt(Math.min(...xs)), fmt(Math.max(...xs)), target, pass === null ? '' : pass ? 'PASS' : 'FAIL'];
  });
  const head = ['command', 'median', 'min', 'max', 'target', 'result'];
  const widths = head.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c].length)));
  const show = (cells) => cells.map((cell, c) => (c >= 1 && c <= 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  console.log(show(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(show(l));
  return lines.filter((l) => l[5] === 'FAIL').length;
}

// ---------------------------------------------------------------- main

let failed = 0;
try {
  const docker = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 10_000 });
  log(`${process.version}; Docker engine ${docker.status === 0 ? `answering (${docker.stdout.trim()})` : 'not answering'}; cluster.yaml says runtime: local`);
  log(`up (2 web + 2 DB nodes in ${dir})`);
  await mustHactl(['up']);
  await waitHealthy(60_000);
  log('warm-up round');
  await round();
  const rounds = [];
  for (let i = 1; i <= RUNS; i++) {
    log(`round ${i}/${RUNS}`);
    await waitHealthy(30_000);
    rounds.push(await round());
  }
  console.log(`\nhactl CLI timings, ${RUNS} rounds (whole processes, spawn to exit):\n`);
  failed = report(rounds);
  if (failed) console.log(`\n${failed} target(s) missed${STRICT ? '' : ' (exit 0 without --strict)'}`);
} finally {
  teardown();
}
process.exitCode = STRICT && failed ? 1 : 0;
