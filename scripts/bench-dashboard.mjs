#!/usr/bin/env node
// npm run bench:dashboard — the dashboard's speed and memory targets, measured
// on a private local cluster (loopback addresses 127.0.92.1, 127.0.102.x,
// 127.0.112.x only; the dashboard on 127.0.92.1:19000) with Debian's chromium
// driven by playwright-core (no browser is downloaded):
//   1. page ready ≤ 300 ms: a logged-in browser tab goes to the dashboard,
//      from the navigation's start until the first snapshot is rendered
//      (body[data-ready=true]), timed in the page; new tabs are reported too;
//   2. an update pushed ≤ 1 s after a web node dies: SIGKILL of its process
//      group until a `status` server-sent event shows it not UP (and, split
//      out, until lb-web itself saw it and until the open page showed it);
//   3. dashboard process memory < 100 MB: VmRSS / VmHWM of the
//      `node dist/cli/main.js dashboard` process after the runs above plus
//      5 SSE clients for 20 s and 50 GET /api/status.
//
// Usage: node scripts/bench-dashboard.mjs [--json] [--keep-logs]
//   --json       one JSON document on stdout (progress stays on stderr)
//   --keep-logs  copy .hactl/log and the dashboard's stderr somewhere safe before the teardown (done anyway when the bench breaks)
//   BENCH_RUNS=N   page-ready runs (default 10); kill runs are half of it (at least 3)
// Exit 0 when every target is met, 1 otherwise (everything is still printed).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const MAIN = new URL('../dist/cli/main.js', import.meta.url).pathname;
const JSON_OUT = process.argv.includes('--json');
const KEEP_LOGS = process.argv.includes('--keep-logs');
const READY_RUNS = Number(process.env.BENCH_RUNS ?? 10);
const KILL_RUNS = Math.max(3, Math.round(READY_RUNS / 2));

const LISTEN = '127.0.92.1';
const PORTS = { http: 18080, stats: 18404, db: 13307, dashboard: 19000 };
const URL_BASE = `http://${LISTEN}:${PORTS.dashboard}`;
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

const TARGET_READY_MS = 300;
const TARGET_PUSH_MS = 1_000;
const TARGET_MEMORY_MB = 100;
const LOAD_SSE_CLIENTS = 5;
const LOAD_SSE_MS = 20_000;
const LOAD_STATUS_GETS = 50;
const LOAD_STATUS_CONCURRENCY = 5;
// A killed node must show up well within this, or the run counts as a miss at this value.
const KILL_LIMIT_MS = 10_000;
// How long the dashboard may take to stop on SIGTERM before it is SIGKILLed (reported, not a target).
const STOP_LIMIT_MS = 20_000;

const dir = mkdtempSync(join(tmpdir(), 'hactl-bench-dashboard-'));
writeFileSync(
  join(dir, 'cluster.yaml'),
  `name: benchdash
runtime: local
session_mode: sticky
listen: ${LISTEN}
ports: {http: ${PORTS.http}, stats: ${PORTS.stats}, db: ${PORTS.db}, dashboard: ${PORTS.dashboard}}
defaults:
  web: {host: "127.0.102.{n}"}
  db: {host: "127.0.112.{n}"}
web: [web1, web2]
db: [mysql1, mysql2]
`,
);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();
/** Epoch ms with sub-ms resolution, comparable with the page's performance.timeOrigin + performance.now(). */
const epoch = () => performance.timeOrigin + performance.now();
const log = (msg) => process.stderr.write(`[${(now() / 1000).toFixed(1).padStart(5)}s] ${msg}\n`);
const median = (xs) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const max = (xs) => (xs.length ? Math.max(...xs) : NaN);
const round1 = (x) => (Number.isFinite(x) ? Math.round(x * 10) / 10 : null);

// ---------------------------------------------------------------- hactl

const children = new Set();

/** Runs the compiled CLI asynchronously (SSE clients keep reading meanwhile). */
function hactl(...args) {
  return new Promise((resolve) => {
    const start = now();
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, ms: now() - start, stdout, stderr });
    });
  });
}

async function waitHealthy(limitMs) {
  const until = now() + limitMs;
  let last;
  while (now() < until) {
    last = await hactl('status', '--json');
    if (last.code === 0) return;
    await sleep(300);
  }
  throw new Error(`the cluster is not healthy after ${limitMs} ms: ${last?.stdout.slice(0, 400)} ${last?.stderr.slice(0, 400)}`);
}

/** lb-web's own view of a server, read from its stats socket (what the dashboard reads too). */
function lbWebStatus(node) {
  return new Promise((resolve) => {
    const s = connect(join(dir, '.hactl/run/lb-web.sock'));
    let out = '';
    s.on('connect', () => s.write('show stat\n'));
    s.on('data', (d) => (out += d));
    s.on('end', () => resolve(out.split('\n').find((l) => l.startsWith(`web,${node},`))?.split(',')[17]));
    s.on('error', () => resolve(undefined));
  });
}

// ---------------------------------------------------------------- dashboard process

let dashboard = null; // { child, pid, exited: Promise<{code, signal}> }
let dashboardStderr = '';

async function startDashboard() {
  // node itself, not bin/hactl: the pid is the server's.
  const child = spawn(process.execPath, [MAIN, 'dashboard', '--host', LISTEN, '-p', String(PORTS.dashboard)], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  child.stdout.on('data', () => undefined);
  child.stderr.on('data', (d) => (dashboardStderr += d));
  dashboard = { child, pid: child.pid, exited, gone: false };
  exited.then(() => (dashboard.gone = true));
  const until = now() + 15_000;
  while (now() < until) {
    if (dashboard.gone) throw new Error(`the dashboard exited at start: ${dashboardStderr}`);
    try {
      const r = await fetch(`${URL_BASE}/`);
      await r.arrayBuffer();
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`the dashboard does not answer on ${URL_BASE} after 15 s: ${dashboardStderr}`);
}

/** Stops the dashboard as Ctrl-C would; gives how long it took and how it ended. */
async function stopDashboard(limitMs = STOP_LIMIT_MS) {
  if (!dashboard || dashboard.gone) return null;
  const start = now();
  dashboard.child.kill('SIGTERM');
  // An open event stream sleeps 15 s between keep-alive comments: give it that and more.
  const killed = await Promise.race([dashboard.exited.then((e) => ({ ...e, forced: false })), sleep(limitMs).then(() => null)]);
  if (killed) return { ms: Math.round(now() - start), ...killed };
  log(`the dashboard did not stop ${limitMs / 1000} s after SIGTERM: SIGKILL`);
  dashboard.child.kill('SIGKILL');
  const e = await dashboard.exited;
  return { ms: Math.round(now() - start), ...e, forced: true };
}

function procStatus(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024, anonMb: kb('RssAnon') / 1024, fileMb: kb('RssFile') / 1024 };
}

// ---------------------------------------------------------------- API and SSE (Node side)

async function login(credentials) {
  const r = await fetch(`${URL_BASE}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(credentials) });
  if (!r.ok) throw new Error(`POST /api/login: HTTP ${r.status} ${await r.text()}`);
  const cookie = (r.headers.getSetCookie?.() ?? [r.headers.get('set-cookie')]).map((c) => c.split(';')[0]).find((c) => c.startsWith('hactl_session='));
  if (!cookie) throw new Error('POST /api/login set no hactl_session cookie');
  const { csrf } = await r.json();
  return { cookie, csrf };
}

async function getStatus(session) {
  const start = now();
  const r = await fetch(`${URL_BASE}/api/status`, { headers: { Cookie: session.cookie, Accept: 'application/json' } });
  const body = await r.json();
  if (!r.ok) throw new Error(`GET /api/status: HTTP ${r.status}`);
  return { ms: now() - start, body, at: epoch() };
}

/**
 * An EventSource in Node: GET /api/events with the session cookie, read for
 * ever (until close()); every `status` event kept with its arrival time.
 */
function sseClient(session, name) {
  const ctrl = new AbortController();
  const client = { name, events: 0, statuses: [], waiters: new Set(), connected: false, error: null, bytes: 0 };
  let resolveOpen;
  client.opened = new Promise((r) => (resolveOpen = r));
  client.done = (async () => {
    try {
      const r = await fetch(`${URL_BASE}/api/events`, { headers: { Cookie: session.cookie, Accept: 'text/event-stream' }, signal: ctrl.signal });
      if (!r.ok) throw new Error(`GET /api/events: HTTP ${r.status}`);
      client.connected = true;
      resolveOpen();
      const decoder = new TextDecoder();
      let buf = '';
      for await (const chunk of r.body) {
        client.bytes += chunk.length;
        buf += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          let event = 'message';
          const data = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          }
          if (!data.length) continue; // a comment (keep-alive)
          client.events++;
          if (event !== 'status') continue;
          const snapshot = JSON.parse(data.join('\n'));
          const item = { t: now(), at: epoch(), snapshot };
          // Only the recent ones are kept, so a long run does not grow our own memory.
          client.statuses.push(item);
          if (client.statuses.length > 200) client.statuses.shift();
          for (const w of client.waiters) w(item);
        }
      }
    } catch (e) {
      if (!ctrl.signal.aborted) client.error = e;
    } finally {
      resolveOpen();
    }
  })();
  client.close = () => ctrl.abort();
  /** Resolves with the first status event (arriving from now on) for which test() holds. */
  client.next = (test, limitMs) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        client.waiters.delete(w);
        resolve(null);
      }, limitMs);
      const w = (item) => {
        if (!test(item.snapshot)) return;
        clearTimeout(timer);
        client.waiters.delete(w);
        resolve(item);
      };
      client.waiters.add(w);
    });
  return client;
}

const nodeStatus = (snapshot, node) => snapshot.nodes.find((n) => n.name === node)?.status;
const allWebUp = (snapshot) => snapshot.nodes.filter((n) => n.type === 'web').every((n) => n.status === 'UP');

// ---------------------------------------------------------------- browser

/**
 * Runs in every page before its own scripts: when body[data-ready=true]
 * appears (performance.now(), ms since the navigation started), each node
 * badge's status as it changes (epoch ms), and the observed_at of each
 * snapshot the page receives (so the age of the first one it rendered is known).
 */
const PAGE_PROBE = () => {
  const stamp = () => performance.timeOrigin + performance.now();
  window.__bench = { readyAt: null, badges: {}, changes: [], snapshots: [] };
  const scan = () => {
    const b = window.__bench;
    if (b.readyAt === null && document.body?.dataset.ready === 'true') b.readyAt = performance.now();
    for (const el of document.querySelectorAll('tr[data-node] .badge[data-status]')) {
      const node = el.closest('tr').dataset.node;
      const status = el.dataset.status;
      if (b.badges[node] !== status) {
        b.badges[node] = status;
        b.changes.push({ node, status, at: stamp() });
      }
    }
  };
  new MutationObserver(scan).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-ready', 'data-status'] });
  const keep = (source, snapshot) => {
    if (snapshot && typeof snapshot.observed_at === 'number') window.__bench.snapshots.push({ source, at: stamp(), observed_at: snapshot.observed_at });
  };
  const add = EventSource.prototype.addEventListener;
  EventSource.prototype.addEventListener = function (type, listener, options) {
    if (type === 'status') {
      add.call(this, 'status', (e) => {
        try {
          keep('sse', JSON.parse(e.data));
        } catch {
          /* not ours to judge */
        }
      });
    }
    return add.call(this, type, listener, options);
  };
  const fetch0 = window.fetch;
  window.fetch = async (...args) => {
    const res = await fetch0(...args);
    if (String(args[0]).endsWith('/api/status') && res.ok) {
      res
        .clone()
        .json()
        .then((s) => keep('fetch', s))
        .catch(() => undefined);
    }
    return res;
  };
};

let browser = null;

// ---------------------------------------------------------------- measurements

/** 1. Page ready: a new page of the logged-in context, from goto to body[data-ready=true]. */
async function measurePageReady(context) {
  const runs = [];
  for (let i = 0; i < READY_RUNS; i++) {
    const page = await context.newPage();
    const t = now();
    const t0 = epoch();
    await page.goto(`${URL_BASE}/`, { waitUntil: 'commit' });
    await page.waitForSelector('body[data-ready=true]', { timeout: 10_000 });
    const wall = now() - t;
    const b = await page.evaluate(() => window.__bench);
    // Where the time went: when (ms from the navigation's start) each part had arrived.
    const phases = await page.evaluate(() => {
      const end = (suffix) => performance.getEntriesByType('resource').find((e) => new URL(e.name).pathname.endsWith(suffix));
      const nav = performance.getEntriesByType('navigation')[0];
      const r = (e, k = 'responseEnd') => (e ? Math.round(e[k]) : null);
      return {
        html: r(nav),
        dom_content_loaded: r(nav, 'domContentLoadedEventEnd'),
        app_js: r(end('/assets/app.js')),
        i18n_js: r(end('/assets/i18n.js')),
        session_start: r(end('/api/session'), 'startTime'),
        session: r(end('/api/session')),
        status_start: r(end('/api/status'), 'startTime'),
        status: r(end('/api/status')),
      };
    });
    const first = [...b.snapshots].sort((x, y) => x.at - y.at)[0];
    runs.push({
      wall_ms: round1(wall),
      in_page_ms: round1(b.readyAt),
      // How old the first snapshot this page received already was when it arrived.
      first_snapshot_age_ms: first ? Math.round(first.at - first.observed_at) : null,
      first_snapshot_source: first?.source ?? null,
      started_at: t0,
      phases,
    });
    log(`page ready ${i + 1}/${READY_RUNS}: ${Math.round(wall)} ms wall, ${Math.round(b.readyAt)} ms in the page (first snapshot ${runs.at(-1).first_snapshot_age_ms} ms old, by ${runs.at(-1).first_snapshot_source})`);
    await page.close();
    await sleep(300);
  }
  return runs;
}

/** The same in one tab navigated again and again (its renderer and connections stay warm; its stream keeps the feed going). */
async function measureSameTab(context) {
  const page = await context.newPage();
  const runs = [];
  for (let i = 0; i < READY_RUNS; i++) {
    const t = now();
    await page.goto(`${URL_BASE}/`, { waitUntil: 'commit' });
    await page.waitForSelector('body[data-ready=true]', { timeout: 10_000 });
    const wall = now() - t;
    const readyAt = await page.evaluate(() => window.__bench.readyAt);
    runs.push({ wall_ms: round1(wall), in_page_ms: round1(readyAt) });
  }
  await page.close();
  return runs;
}

/** What the browser alone costs here: a new tab showing an empty page (a data: URL, no network). */
async function measureBrowserFloor(context) {
  const runs = [];
  for (let i = 0; i < READY_RUNS; i++) {
    const page = await context.newPage();
    const t = now();
    await page.goto('data:text/html,<!doctype html><body data-ready=true><p>ready</p>', { waitUntil: 'commit' });
    await page.waitForSelector('body[data-ready=true]', { timeout: 10_000 });
    runs.push(round1(now() - t));
    await page.close();
  }
  return runs;
}

/**
 * 2. Update pushed: one SSE client and one open page; SIGKILL a web node's
 * process group, then time lb-web's stats socket, the SSE client and the
 * page until each shows the node not UP. Then `hactl up` brings it back.
 */
async function measurePush(session, context) {
  const sse = sseClient(session, 'kill-watcher');
  await sse.opened;
  if (!sse.connected) throw new Error(`the SSE client could not connect: ${sse.error?.message}`);
  const page = await context.newPage();
  await page.goto(`${URL_BASE}/`);
  await page.waitForSelector('body[data-ready=true]', { timeout: 10_000 });
  const runs = [];
  try {
    for (let i = 0; i < KILL_RUNS; i++) {
      const node = i % 2 === 0 ? 'web1' : 'web2';
      // Start from a cluster the dashboard, lb-web and the page all see as fully UP.
      const upLimit = now() + 30_000;
      while (now() < upLimit && ((await lbWebStatus(node)) !== 'UP' || !(await sse.next(allWebUp, 2_000)))) await sleep(100);
      await page.waitForFunction((n) => document.querySelector(`tr[data-node="${n}"] .badge`)?.dataset.status === 'UP', node, { timeout: 10_000 });
      await sleep(300);
      const pid = JSON.parse(readFileSync(join(dir, '.hactl/run/processes.json'), 'utf8'))[node]?.pid;
      if (!pid) throw new Error(`no pid for ${node} in .hactl/run/processes.json`);

      const sawSse = sse.next((s) => nodeStatus(s, node) !== 'UP', KILL_LIMIT_MS);
      // And until it is out of rotation (fall 2: the second failed check).
      const sawDown = sse.next((s) => nodeStatus(s, node)?.startsWith('DOWN'), KILL_LIMIT_MS);
      let haproxyMs = null;
      let polling = true;
      const t = now();
      const tEpoch = epoch();
      process.kill(-pid, 'SIGKILL');
      const haproxy = (async () => {
        while (polling && now() - t < KILL_LIMIT_MS) {
          const st = await lbWebStatus(node);
          if (st !== undefined && st !== 'UP') {
            haproxyMs = now() - t;
            return st;
          }
          await sleep(5);
        }
        return null;
      })();
      const item = await sawSse;
      const sseMs = item ? item.t - t : null;
      const pageChange = await page
        .waitForFunction(
          ([n, since]) => window.__bench.changes.find((c) => c.node === n && c.status !== 'UP' && c.at >= since) ?? null,
          [node, tEpoch],
          { timeout: KILL_LIMIT_MS },
        )
        .then((h) => h.jsonValue())
        .catch(() => null);
      polling = false;
      const haproxyStatus = await haproxy;
      const down = await sawDown;
      const run = {
        node,
        haproxy_ms: round1(haproxyMs),
        haproxy_status: haproxyStatus,
        sse_ms: round1(sseMs),
        sse_status: item ? nodeStatus(item.snapshot, node) : null,
        // How old the snapshot in that event was when it arrived: the read itself.
        sse_snapshot_age_ms: item ? Math.round(item.at - item.snapshot.observed_at) : null,
        sse_down_ms: down ? round1(down.t - t) : null,
        page_ms: pageChange ? round1(pageChange.at - tEpoch) : null,
        page_status: pageChange?.status ?? null,
      };
      runs.push(run);
      log(
        `kill ${node} (${i + 1}/${KILL_RUNS}): lb-web ${run.haproxy_status} after ${Math.round(haproxyMs ?? NaN)} ms, ` +
          `SSE "${run.sse_status}" after ${Math.round(sseMs ?? NaN)} ms, page "${run.page_status}" after ${Math.round(run.page_ms ?? NaN)} ms`,
      );
      const up = await hactl('up');
      if (up.code !== 0) throw new Error(`hactl up after killing ${node} exited ${up.code}: ${up.stderr.slice(-400)}`);
      await waitHealthy(30_000);
    }
  } finally {
    sse.close();
    await page.close().catch(() => undefined);
  }
  // How often a status event came while a page listened: the snapshot interval plus the read.
  const gaps = sse.statuses.slice(1).map((s, i) => s.t - sse.statuses[i].t);
  return { runs, event_gap_ms: { median: round1(median(gaps)), max: round1(max(gaps)), n: gaps.length } };
}

/** 3. Load: 5 SSE clients for 20 s and 50 GET /api/status meanwhile, the dashboard's RSS sampled all along. */
async function loadAndMemory(session) {
  const samples = [procStatus(dashboard.pid).rssMb];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      samples.push(procStatus(dashboard.pid).rssMb);
      await sleep(250);
    }
  })();
  const clients = Array.from({ length: LOAD_SSE_CLIENTS }, (_, i) => sseClient(session, `load-${i + 1}`));
  await Promise.all(clients.map((c) => c.opened));
  const statusMs = [];
  let statusFailed = 0;
  const start = now();
  // The GETs spread over the first part of the window, a few at a time.
  const getters = Array.from({ length: LOAD_STATUS_CONCURRENCY }, async () => {
    while (statusMs.length + statusFailed < LOAD_STATUS_GETS) {
      try {
        statusMs.push((await getStatus(session)).ms);
      } catch {
        statusFailed++;
      }
      await sleep(100);
    }
  });
  await Promise.all(getters);
  await sleep(Math.max(0, LOAD_SSE_MS - (now() - start)));
  const events = clients.map((c) => c.events);
  const errors = clients.filter((c) => c.error || !c.connected).map((c) => `${c.name}: ${c.error?.message ?? 'not connected'}`);
  for (const c of clients) c.close();
  await Promise.all(clients.map((c) => c.done));
  await sleep(1_000);
  sampling = false;
  await sampler;
  const after = procStatus(dashboard.pid);
  return {
    sse_clients: LOAD_SSE_CLIENTS,
    sse_ms: LOAD_SSE_MS,
    events_per_client: events,
    sse_errors: errors,
    status_gets: statusMs.length,
    status_failed: statusFailed,
    status_ms: { median: round1(median(statusMs)), max: round1(max(statusMs)) },
    rss_samples_mb: { median: round1(median(samples)), max: round1(max(samples)), n: samples.length },
    rss_after_mb: round1(after.rssMb),
    anon_after_mb: round1(after.anonMb),
    file_after_mb: round1(after.fileMb),
    hwm_mb: round1(after.hwmMb),
  };
}

// ---------------------------------------------------------------- report

function buildReport(m) {
  const readyWall = m.ready.map((r) => r.wall_ms);
  const readyPage = m.ready.map((r) => r.in_page_ms);
  const ages = m.ready.map((r) => r.first_snapshot_age_ms).filter((x) => x !== null);
  const sse = m.push.runs.map((r) => r.sse_ms ?? KILL_LIMIT_MS);
  const sseDown = m.push.runs.map((r) => r.sse_down_ms ?? KILL_LIMIT_MS);
  const hap = m.push.runs.map((r) => r.haproxy_ms).filter((x) => x !== null);
  const pageMs = m.push.runs.map((r) => r.page_ms ?? KILL_LIMIT_MS);
  const lag = m.push.runs.filter((r) => r.sse_ms !== null && r.haproxy_ms !== null).map((r) => r.sse_ms - r.haproxy_ms);
  const tabPage = m.same_tab.map((r) => r.in_page_ms);
  const tabWall = m.same_tab.map((r) => r.wall_ms);
  const rows = [
    {
      // The dashboard's part: an open tab goes to the dashboard (a reload, a link), timed
      // by the page itself from the navigation's start until the cluster is on screen.
      name: 'page ready: open tab, in the page',
      unit: 'ms',
      median: round1(median(tabPage)),
      max: round1(max(tabPage)),
      target: `≤ ${TARGET_READY_MS} ms`,
      ok: median(tabPage) <= TARGET_READY_MS,
      runs: tabPage,
    },
    { name: '  same, wall (goto → data-ready)', unit: 'ms', median: round1(median(tabWall)), max: round1(max(tabWall)), target: '', ok: null, runs: tabWall },
    { name: '  new tab, in the page', unit: 'ms', median: round1(median(readyPage)), max: round1(max(readyPage)), target: '', ok: null, runs: readyPage },
    { name: '  new tab, wall', unit: 'ms', median: round1(median(readyWall)), max: round1(max(readyWall)), target: '', ok: null, runs: readyWall },
    { name: '  browser alone: new tab, empty page', unit: 'ms', median: round1(median(m.browser_floor)), max: round1(max(m.browser_floor)), target: '', ok: null, runs: m.browser_floor },
    { name: '  age of the first snapshot it showed', unit: 'ms', median: round1(median(ages)), max: round1(max(ages)), target: '', ok: null, runs: ages },
    {
      name: 'node killed → SSE status not UP',
      unit: 'ms',
      median: round1(median(sse)),
      max: round1(max(sse)),
      target: `≤ ${TARGET_PUSH_MS} ms`,
      ok: max(sse) <= TARGET_PUSH_MS && m.push.runs.every((r) => r.sse_ms !== null),
      runs: sse,
    },
    { name: '  of which lb-web itself saw it', unit: 'ms', median: round1(median(hap)), max: round1(max(hap)), target: '', ok: null, runs: hap },
    { name: '  of which dashboard lag after lb-web', unit: 'ms', median: round1(median(lag)), max: round1(max(lag)), target: '', ok: null, runs: lag },
    { name: '  node killed → SSE status DOWN', unit: 'ms', median: round1(median(sseDown)), max: round1(max(sseDown)), target: '', ok: null, runs: sseDown },
    { name: '  node killed → page shows it', unit: 'ms', median: round1(median(pageMs)), max: round1(max(pageMs)), target: '', ok: null, runs: pageMs },
    {
      name: 'dashboard memory: VmHWM (peak RSS)',
      unit: 'MB',
      median: null,
      max: m.memory.hwm_mb,
      target: `< ${TARGET_MEMORY_MB} MB`,
      ok: m.memory.hwm_mb < TARGET_MEMORY_MB && m.memory.rss_after_mb < TARGET_MEMORY_MB,
      runs: [],
    },
    { name: '  VmRSS sampled under load', unit: 'MB', median: m.memory.rss_samples_mb.median, max: m.memory.rss_samples_mb.max, target: '', ok: null, runs: [] },
    { name: '  VmRSS after the load', unit: 'MB', median: null, max: m.memory.rss_after_mb, target: '', ok: null, runs: [] },
    { name: '    of which anonymous (heap etc.)', unit: 'MB', median: null, max: m.memory.anon_after_mb, target: '', ok: null, runs: [] },
    { name: '    of which file-backed (node binary)', unit: 'MB', median: null, max: m.memory.file_after_mb, target: '', ok: null, runs: [] },
  ];
  const phaseKeys = Object.keys(m.ready[0]?.phases ?? {});
  const phases = Object.fromEntries(phaseKeys.map((k) => [k, round1(median(m.ready.map((r) => r.phases[k]).filter((x) => x !== null)))]));
  phases.ready = round1(median(readyPage));
  const misses = rows.filter((r) => r.ok === false).map((r) => r.name);
  if (m.memory.sse_errors.length) misses.push(`SSE load clients failed: ${m.memory.sse_errors.join('; ')}`);
  if (m.memory.status_failed) misses.push(`${m.memory.status_failed} GET /api/status failed`);
  return {
    config: { cpus: cpus().length, chromium: m.chromiumVersion, ready_runs: READY_RUNS, kill_runs: KILL_RUNS, loadavg_start: m.loadavg_start, loadavg_end: loadavg().map((x) => round1(x)) },
    rows,
    page_phases_ms: phases,
    ...m,
    verdict: { ok: misses.length === 0, misses },
  };
}

function printReport(r) {
  const fmt = (x, unit) => (x === null || x === undefined || Number.isNaN(x) ? '-' : `${unit === 'MB' ? x.toFixed(1) : Math.round(x)} ${unit}`);
  console.log(
    `hactl bench:dashboard — ${r.config.cpus} cores (load average ${r.config.loadavg_start.join(' ')} at the start, ${r.config.loadavg_end.join(' ')} at the end), ` +
      `chromium ${r.config.chromium}; ${r.config.ready_runs} page loads, ${r.config.kill_runs} node kills (shared machine: compare runs side by side)\n`,
  );
  console.log('measurement'.padEnd(40), 'median'.padStart(9), 'max'.padStart(9), 'target'.padStart(10), '      ', 'runs');
  for (const row of r.rows) {
    console.log(
      row.name.padEnd(40),
      fmt(row.median, row.unit).padStart(9),
      fmt(row.max, row.unit).padStart(9),
      row.target.padStart(10),
      row.ok === null ? '      ' : row.ok ? ' PASS ' : ' FAIL ',
      row.runs.map((x) => Math.round(x)).join(' '),
    );
  }
  const l = r.memory;
  console.log(`
page ready: a browser context that logged in once (through the login form). "in the page" is performance.now() when
  body[data-ready=true] appeared, i.e. from the navigation's start until the cluster's state is on screen: the HTML
  (for a logged-in browser it carries the CSRF token and the first snapshot), the CSS, the ES modules and the first
  render. The target is judged on it, median, in an open tab sent to the dashboard again and again (a reload, a link:
  its renderer is up). "wall" adds playwright's own round trips around page.goto(${URL_BASE}/) + waitForSelector.
  "new tab" opens a fresh tab each time: Chromium starts a renderer for it first; "browser alone" is that cost with
  an empty data: page and no network, on this machine. "age" is how old the first snapshot the page showed already
  was (arrival − its observed_at), i.e. how stale the first paint is.
  Median arrival times in a new tab (ms from navigation start, resource timing): ${Object.entries(r.page_phases_ms).map(([k, v]) => `${k} ${v}`).join(', ')}.
node killed: SIGKILL to a web node's process group (pid from .hactl/run/processes.json; web1 and web2 in turn),
  with one SSE client (Node fetch of /api/events with the session cookie) and one open page. "SSE" is until the first
  status event showing that node's status other than "UP" (e.g. "UP 1/2", "DOWN"); "lb-web itself" polls lb-web's
  stats socket every ~5 ms (health checks every 250 ms, fall 2); "dashboard lag" is SSE − lb-web, the snapshot interval
  (250 ms) plus the read; "DOWN" is until a status event says DOWN (out of rotation: the second failed check);
  "page shows it" is until the node's badge in the page's DOM left "UP" (a MutationObserver in the page).
  After each kill \`hactl up\` restarts the node and the next run waits until everything is UP again.
  Status events while one client listened came every ${r.push.event_gap_ms.median} ms (median; max ${r.push.event_gap_ms.max} ms).
memory: /proc/PID/status of the \`node dist/cli/main.js dashboard\` process (spawned directly, so the pid is the server),
  after the runs above plus ${l.sse_clients} SSE clients for ${l.sse_ms / 1000} s and ${l.status_gets} GET /api/status (${LOAD_STATUS_CONCURRENCY} at a time;
  median ${l.status_ms.median} ms, max ${l.status_ms.max} ms, ${l.status_failed} failed); status events per load client: ${l.events_per_client.join(' ')}.
  VmHWM is the peak RSS of the whole life of the process (the target: it and VmRSS after the load < ${TARGET_MEMORY_MB} MB).
  RSS counts the node binary's file-backed pages (shared with every node process) as well as the heap (anonymous).
  RSS at start (listening, before any page): ${r.rss_start_mb} MB.`);
  if (r.stale_status) {
    const s = r.stale_status;
    console.log(`GET /api/status with no page listening, ${s.idle_ms / 1000} s after the last one closed: snapshot ${s.age_ms} ms old (${s.get_ms} ms to answer).`);
  }
  if (r.dashboard_stop) {
    const st = r.dashboard_stop;
    console.log(`dashboard stop on SIGTERM (as Ctrl-C): ${st.ms} ms, exit ${st.code ?? st.signal}${st.forced ? ` — ! it did not stop: SIGKILLed after ${STOP_LIMIT_MS / 1000} s` : ''} (reported, not a target).`);
  }
  console.log(`\n${r.verdict.ok ? 'OK' : 'MISS'}: ${r.verdict.ok ? 'every target met' : r.verdict.misses.join('; ')}`);
}

// ---------------------------------------------------------------- main

let tornDown = false;

/** Stops the browser, the dashboard and the cluster, deletes the folder; keeps the logs first when asked. */
async function teardown(keepLogs, dashboardLimitMs = STOP_LIMIT_MS) {
  if (tornDown) return;
  tornDown = true;
  await browser?.close().catch(() => undefined);
  const stop = await stopDashboard(dashboardLimitMs).catch(() => null);
  for (const c of children) c.kill('SIGTERM');
  if (keepLogs) {
    const logs = mkdtempSync(join(tmpdir(), 'hactl-bench-dashboard-logs-'));
    try {
      cpSync(join(dir, '.hactl/log'), logs, { recursive: true });
      writeFileSync(join(logs, 'dashboard.stderr'), dashboardStderr);
      log(`logs kept in ${logs}`);
    } catch (e) {
      log(`could not keep the logs: ${e.message}`);
    }
  }
  log('down --purge');
  const r = spawnSync(process.execPath, [MAIN, 'down', '--purge'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  if (r.status === 0) rmSync(dir, { recursive: true, force: true });
  else log(`down --purge exited ${r.status}; left ${dir} in place: ${r.stderr}`);
  return stop;
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    // A second Ctrl-C while the first one tears down changes nothing.
    if (tornDown) return;
    log(`${sig}: tearing down`);
    await teardown(KEEP_LOGS, 2_000);
    process.exit(130);
  });
}

async function main() {
  const loadStart = loadavg().map((x) => round1(x));
  log(`cluster in ${dir}: up`);
  const up = await hactl('up');
  if (up.code !== 0) throw new Error(`hactl up exited ${up.code}: ${up.stderr.slice(-600)}`);
  await waitHealthy(30_000);

  const cred = await hactl('dashboard', '--show-credentials', '--json');
  if (cred.code !== 0) throw new Error(`hactl dashboard --show-credentials exited ${cred.code}: ${cred.stderr}`);
  const credentials = JSON.parse(cred.stdout);

  log(`dashboard on ${URL_BASE}`);
  await startDashboard();
  const rssStart = procStatus(dashboard.pid).rssMb;
  const session = await login(credentials);

  // Our own SIGINT/SIGTERM handlers close the browser: playwright's would exit before the cluster is torn down.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
  const context = await browser.newContext();
  await context.addInitScript(PAGE_PROBE);
  // Log in once, through the form, as a person would; the context keeps the cookie.
  const first = await context.newPage();
  await first.goto(`${URL_BASE}/`);
  await first.waitForSelector('#login-view:not([hidden])', { timeout: 10_000 });
  await first.fill('#login [name=user]', credentials.user);
  await first.fill('#login [name=password]', credentials.password);
  await first.click('#login button[type=submit]');
  await first.waitForSelector('body[data-ready=true]', { timeout: 10_000 });
  await first.close();

  log(`page ready × ${READY_RUNS}`);
  const ready = await measurePageReady(context);
  const sameTab = await measureSameTab(context);
  log(`same tab: ${sameTab.map((r) => `${Math.round(r.in_page_ms)}/${Math.round(r.wall_ms)}`).join(' ')} ms (in the page/wall)`);
  const floor = await measureBrowserFloor(context);
  log(`browser floor (new tab, empty data: page): ${floor.map(Math.round).join(' ')} ms`);
  log(`node kills × ${KILL_RUNS}`);
  const push = await measurePush(session, context);
  await context.close();
  log(`load: ${LOAD_SSE_CLIENTS} SSE clients for ${LOAD_SSE_MS / 1000} s, ${LOAD_STATUS_GETS} GET /api/status`);
  const memory = await loadAndMemory(session);

  // Nobody listens now: what does GET /api/status give a script that polls it?
  const idleMs = 5_000;
  await sleep(idleMs);
  const stale = await getStatus(session);
  const staleStatus = { idle_ms: idleMs, age_ms: Math.round(stale.at - stale.body.observed_at), get_ms: round1(stale.ms) };
  return { chromiumVersion: browser.version(), loadavg_start: loadStart, rss_start_mb: round1(rssStart), ready, same_tab: sameTab, browser_floor: floor, push, memory, stale_status: staleStatus };
}

let report = null;
let stop = null;
try {
  const m = await main();
  report = buildReport(m);
} catch (e) {
  // After Ctrl-C the browser is gone under main(): that is not a failure to report.
  if (!tornDown) log(`bench failed: ${e.stack ?? e}`);
  if (dashboardStderr) log(`dashboard stderr: ${dashboardStderr.slice(-2000)}`);
  process.exitCode = 1;
} finally {
  // The cluster's logs say nothing about a slow page: kept when asked, or when the bench itself broke.
  stop = await teardown(KEEP_LOGS || !report);
}
if (report) {
  report.dashboard_stop = stop;
  if (dashboardStderr.trim()) report.dashboard_stderr = dashboardStderr.slice(-2000);
  report.verdict.ok = report.verdict.misses.length === 0;
  if (JSON_OUT) console.log(JSON.stringify(report, null, 2));
  else {
    printReport(report);
    if (report.dashboard_stderr) console.log(`\ndashboard stderr:\n${report.dashboard_stderr}`);
  }
  process.exitCode = report.verdict.ok ? 0 : 1;
}
