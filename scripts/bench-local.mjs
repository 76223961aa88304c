#!/usr/bin/env node
// npm run bench:local — issue 3's speed targets, measured on a private local
// cluster (loopback addresses 127.0.5.1, 127.0.15.x, 127.0.25.x only):
// cold up, no-op up, status --json, and how fast a killed web node leaves rotation.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = new URL('../dist/cli/main.js', import.meta.url).pathname;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'hactl-bench-'));
writeFileSync(
  join(dir, 'cluster.yaml'),
  `name: bench
runtime: local
listen: 127.0.5.1
ports: {http: 18080, stats: 18404, db: 13307, dashboard: 19000}
defaults:
  web: {host: "127.0.15.{n}"}
  db: {host: "127.0.25.{n}"}
web: [web1, web2]
db: [mysql1, mysql2]
`,
);

function hactl(...args) {
  const t = performance.now();
  const r = spawnSync('node', [MAIN, ...args], { cwd: dir, encoding: 'utf8' });
  const ms = performance.now() - t;
  if (r.status !== 0 && !(args[0] === 'status' && r.status === 3)) throw new Error(`hactl ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function showStat() {
  return new Promise((resolve, reject) => {
    const s = connect(join(dir, '.hactl/run/lb-web.sock'));
    let out = '';
    s.on('connect', () => s.write('show stat\n'));
    s.on('data', (d) => (out += d));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

async function web1Status() {
  const line = (await showStat()).split('\n').find((l) => l.startsWith('web,web1,'));
  return line?.split(',')[17];
}

const results = [];
try {
  const cold = [];
  for (let i = 0; i < Math.min(RUNS, 3); i++) {
    hactl('down', '--purge');
    cold.push(hactl('up').ms);
  }
  results.push(['cold up (default cluster, fresh data)', median(cold), 20_000, cold]);

  const noop = [];
  for (let i = 0; i < RUNS; i++) noop.push(hactl('up').ms);
  results.push(['no-op up', median(noop), 1_500, noop]);

  // Let every check pass rise before timing status.
  await sleep(1500);
  const status = [];
  for (let i = 0; i < RUNS * 2; i++) status.push(hactl('status', '--json').ms);
  results.push(['status --json', median(status), 300, status]);

  const leave = [];
  for (let i = 0; i < RUNS; i++) {
    while ((await web1Status()) !== 'UP') await sleep(50);
    const pid = JSON.parse(readFileSync(join(dir, '.hactl/run/processes.json'), 'utf8')).web1.pid;
    const t = performance.now();
    process.kill(-pid, 'SIGKILL');
    while ((await web1Status()) !== 'DOWN') await sleep(5);
    leave.push(performance.now() - t);
    hactl('up');
  }
  results.push(['killed web node out of rotation', median(leave), 1_000, leave]);
} finally {
  spawnSync('node', [MAIN, 'down', '--purge'], { cwd: dir });
  rmSync(dir, { recursive: true, force: true });
}

const cpu = execFileSync('nproc', { encoding: 'utf8' }).trim();
console.log(`hactl bench:local — median of the runs, on ${cpu} cores (shared machine: compare runs side by side)\n`);
console.log('measurement'.padEnd(40), 'median'.padStart(9), 'target'.padStart(9), '  ', 'runs (ms)');
for (const [name, ms, target, runs] of results) {
  console.log(
    name.padEnd(40),
    `${Math.round(ms)} ms`.padStart(9),
    `≤${target} ms`.padStart(9),
    ms <= target ? ' ok' : ' MISS',
    runs.map((r) => Math.round(r)).join(' '),
  );
}
process.exitCode = results.every(([, ms, target]) => ms <= target) ? 0 : 1;
