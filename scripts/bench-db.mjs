#!/usr/bin/env node
// npm run bench:db — the DB tier's targets, measured with `hactl drill db` on real clusters.
//
// One private cluster per runtime (local always; compose when a Docker engine answers),
// 1 web node, 2 MariaDB masters, db sessions:
//   local:   listen 127.0.196.1, web 127.0.197.x, DB 127.0.198.x
//   compose: listen 127.0.199.1 (containers named bdb-…)
// Rows, per runtime:
//   kill -9    `hactl drill db` with failback: manual, ROUNDS times: steady writes through
//              lb-db (fresh connections, 4 at a time), kill -9 of the active master:
//              write outage, failed and lost acknowledged writes, two masters at once,
//              the old master's catch-up, every master identical (checksums)
//   switchover the drill's switchover back under the same writes: pause, failed, lost
//   held back  `hactl drill db --hold-behind HOLD_MS` with failback: auto, HELD times: the old
//              master's SQL threads stopped for HOLD_MS once it is back, writes going on;
//              it must take no write before it has caught up, and then take them back itself
// Targets (exit code): outage ≤ 2000 ms, 0 lost, never two masters at once, identical,
// switchover pause ≤ 1000 ms with 0 lost, and 0 writes before catch-up in every held-back run.
//
// Usage: node scripts/bench-db.mjs [--json] [--rounds N] [--held N] [--hold-ms MS] [--local-only]
// Each cluster is torn down at the end (hactl down --purge), also on failure.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = new URL('../dist/cli/main.js', import.meta.url).pathname;
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const argValue = (name, fallback) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const JSON_OUT = flag('--json');
const ROUNDS = argValue('--rounds', 3);
const HELD = argValue('--held', 10);
const HOLD_MS = argValue('--hold-ms', 2000);
for (const [name, v] of [['--rounds', ROUNDS], ['--held', HELD], ['--hold-ms', HOLD_MS]]) {
  if (!(Number.isInteger(v) && v >= 0)) throw new Error(`${name} takes a whole number ≥ 0`);
}

const log = (line) => process.stderr.write(`${line}\n`);

function hactl(dir, ...args) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function must(dir, ...args) {
  const r = hactl(dir, ...args);
  if (r.code !== 0) throw new Error(`hactl ${args.join(' ')} failed (${r.code}):\n${r.stderr.slice(-3000)}`);
  return r;
}

function dockerAnswers() {
  return spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

function makeCluster(runtime) {
  const dir = mkdtempSync(join(tmpdir(), `hactl-bench-db-${runtime}-`));
  const octet = runtime === 'local' ? 196 : 199;
  writeFileSync(
    join(dir, 'cluster.yaml'),
    `name: benchdb${runtime === 'local' ? 'l' : 'c'}
runtime: ${runtime}
compose: {container_prefix: "bdb-"}
session_mode: db
listen: 127.0.${octet}.1
ports: {http: 28180, stats: 28504, db: 23407, dashboard: 29100, peers: 28505, db_peers: 28506}
defaults:
  web: {host: "127.0.197.{n}"}
  db: {host: "127.0.198.{n}"}
web: [web1]
db: [mysql1, mysql2]
`,
  );
  return dir;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs) => (xs.length ? `${Math.min(...xs)} / ${median(xs)} / ${Math.max(...xs)}` : '-');

function drill(dir, ...args) {
  return JSON.parse(must(dir, 'drill', 'db', '--json', ...args).stdout);
}

function benchRuntime(runtime) {
  const dir = makeCluster(runtime);
  try {
    log(`[${runtime}] hactl up`);
    must(dir, 'up');
    const kills = [];
    for (let i = 1; i <= ROUNDS; i++) {
      log(`[${runtime}] drill db, failback manual, round ${i}/${ROUNDS}`);
      kills.push(drill(dir));
    }
    appendFileSync(join(dir, 'cluster.yaml'), 'database:\n  failback: auto\n');
    must(dir, 'up');
    const held = [];
    for (let i = 1; i <= HELD; i++) {
      log(`[${runtime}] drill db --hold-behind ${HOLD_MS}, failback auto, run ${i}/${HELD}`);
      held.push(drill(dir, '--hold-behind', String(HOLD_MS)));
    }
    return { runtime, kills, held };
  } finally {
    hactl(dir, 'down', '--purge');
    rmSync(dir, { recursive: true, force: true });
  }
}

const runtimes = ['local', ...(!flag('--local-only') && dockerAnswers() ? ['compose'] : [])];
const results = runtimes.map(benchRuntime);

const rows = results.map(({ runtime, kills, held }) => {
  const sw = kills.map((k) => k.switchover).filter(Boolean);
  return {
    runtime,
    kill_runs: kills.length,
    outage_ms: kills.map((k) => k.write_outage_ms),
    failed_writes: kills.map((k) => k.failed_writes),
    lost_writes: kills.reduce((a, k) => a + k.lost_writes, 0),
    two_masters_at_once: kills.filter((k) => k.two_masters_at_once).length,
    not_identical: [...kills, ...held].filter((k) => !k.identical).length,
    catch_up_ms: kills.map((k) => k.catch_up_ms ?? -1),
    switchover_pause_ms: sw.map((s) => s.pause_ms),
    switchover_failed: sw.map((s) => s.failed_writes),
    switchover_lost: sw.reduce((a, s) => a + s.lost_writes, 0),
    held_runs: held.length,
    held_clean: held.filter((h) => h.writes_before_caught_up === 0).length,
    held_catch_up_ms: held.map((h) => h.catch_up_ms ?? -1),
    held_lost: held.reduce((a, h) => a + h.lost_writes, 0),
  };
});
const ok = rows.every(
  (r) =>
    Math.max(...r.outage_ms) <= 2000 &&
    r.lost_writes === 0 &&
    r.two_masters_at_once === 0 &&
    r.not_identical === 0 &&
    r.switchover_pause_ms.every((p) => p <= 1000) &&
    r.switchover_lost === 0 &&
    r.held_clean === r.held_runs &&
    r.held_lost === 0,
);

if (JSON_OUT) {
  process.stdout.write(`${JSON.stringify({ rows, ok }, null, 2)}\n`);
} else {
  for (const r of rows) {
    console.log(`\n${r.runtime}: kill -9 of the active master under writes (${r.kill_runs} runs; min / median / max)`);
    console.log(`  write outage            ${range(r.outage_ms)} ms   (target ≤ 2000)`);
    console.log(`  failed writes           ${range(r.failed_writes)}`);
    console.log(`  lost acknowledged       ${r.lost_writes}   (target 0)`);
    console.log(`  two masters at once     ${r.two_masters_at_once} runs   (target 0)`);
    console.log(`  old master caught up    ${range(r.catch_up_ms)} ms after its start`);
    console.log(`  switchover back: pause  ${range(r.switchover_pause_ms)} ms   (target ≤ 1000), failed ${range(r.switchover_failed)}, lost ${r.switchover_lost}`);
    console.log(`  old master held behind ${HOLD_MS} ms, failback auto: no write before caught up in ${r.held_clean}/${r.held_runs} runs (target all); caught up ${range(r.held_catch_up_ms)} ms; lost ${r.held_lost}`);
    console.log(`  masters identical       ${r.not_identical === 0 ? 'yes, every run' : `no, in ${r.not_identical} runs`}`);
  }
  console.log(`\n${ok ? 'targets met' : 'TARGETS MISSED'}`);
}
process.exit(ok ? 0 : 1);
