import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { readState } from '../../src/drivers/local/state.js';
import { eventually, TestCluster } from '../support/cluster.js';
import { startDashboard, type TestDashboard } from '../support/dashboard.js';
import { request } from '../support/http.js';

// The dashboard in a real browser (Debian's chromium through playwright-core)
// against a real local cluster: entry points 127.0.91.1, web nodes 127.0.101.n,
// DB nodes 127.0.111.n, the dashboard on 127.0.91.1:19000. Nothing else is asked.
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = new URL('../../test-results/screenshots/', import.meta.url).pathname;

const cluster = new TestCluster(91, { sessionMode: 'sticky' });
const yaml = () => readFileSync(join(cluster.dir, 'cluster.yaml'), 'utf8');
const pidOf = (name: string) => readState(join(cluster.dir, '.hactl'))[name]?.pid;

let dashboard: TestDashboard | undefined;
let browser: Browser | undefined;
let page: Page;
/** Uncaught errors in the page, and requests to anything but the dashboard. */
const pageErrors: string[] = [];
const foreignRequests: string[] = [];

/** The whole page; a modal dialog's backdrop covers only the viewport, so dialogs are shot as seen. */
const shot = (name: string, fullPage = true) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });

/** Every row's badge, e.g. {web1: 'UP', mysql1: 'UP'}: what a failed wait shows. */
const badges = () =>
  page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('#web-table tbody tr[data-node], #db-table tbody tr[data-node]')].map((tr) => [
        tr.getAttribute('data-node'),
        tr.querySelector('span.badge')?.getAttribute('data-status') ?? '',
      ]),
    ),
  ) as Promise<Record<string, string>>;

/** Poll the page until CHECK holds; on timeout say what the page shows. Returns how long it took (ms). */
async function until(what: string, check: () => Promise<unknown>, timeoutMs = 10_000): Promise<number> {
  const started = Date.now();
  try {
    await eventually(what, async () => Boolean(await check()), timeoutMs);
  } catch (err) {
    const state = await badges().catch((e: Error) => ({ error: e.message }));
    const dialog = await page
      .evaluate(() => ((document.querySelector('#info-dialog') as HTMLDialogElement).open ? document.querySelector('#info-dialog')!.textContent : 'closed'))
      .catch(() => '?');
    throw new Error(`${(err as Error).message}; rows: ${JSON.stringify(state)}; info dialog: ${dialog}`);
  }
  return Date.now() - started;
}

const badgeIs = (node: string, status: string) => async () => (await badges())[node] === status;
const text = async (selector: string) => ((await page.textContent(selector)) ?? '').trim();
const infoOpen = () => page.evaluate(() => (document.querySelector('#info-dialog') as HTMLDialogElement).open);
/** Operations finished (done or failed) in the activity list, by their label. */
const finished = (op: string) => page.locator(`#activity li.done[data-op="${op}"], #activity li.failed[data-op="${op}"]`).count();

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the dashboard's browser tests drive Debian's chromium (bash scripts/setup.sh --with-browser installs it; no browser is downloaded)`);
  }
  mkdirSync(SHOTS, { recursive: true });
  await cluster.startHealthy();
  dashboard = await startDashboard(cluster, 19000);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('request', (req) => {
    if (!req.url().startsWith(dashboard!.url)) foreignRequests.push(req.url());
  });
}, 120_000);

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    try {
      await dashboard?.stop();
    } finally {
      await cluster.destroy();
    }
  }
}, 60_000);

// A test that failed half-way may leave a dialog open over the page: close it, so the next test starts clean.
afterEach(async () => {
  if (!page) return;
  for (const id of ['#info-dialog', '#web-dialog', '#db-dialog']) {
    if (await page.evaluate((sel) => (document.querySelector(sel) as HTMLDialogElement).open, id)) {
      await page.keyboard.press('Escape');
      await page.locator(id).waitFor({ state: 'hidden' });
    }
  }
});

describe('dashboard in a browser', () => {
  it('refuses a wrong password with a message, then logs in and shows the cluster', async () => {
    await page.goto(dashboard!.url);
    await page.locator('#login-view').waitFor({ state: 'visible' });
    expect(await page.locator('#app-view').isHidden()).toBe(true);
    // No live feed before anyone has logged in: no badge saying "reconnecting…" either.
    expect(await page.locator('#live').isHidden()).toBe(true);
    expect(await page.inputValue('#login [name=user]')).toBe('admin');
    await shot('login');

    await page.fill('#login [name=password]', 'not-the-password');
    await page.click('#login button[type=submit]');
    await until('the login error', async () => (await text('#login-error')) !== '');
    expect(await text('#login-error')).toBe('wrong user name or password');
    expect(await page.locator('#app-view').isHidden()).toBe(true);

    await page.fill('#login [name=password]', dashboard!.password);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('body[data-ready=true]');
    expect(await page.locator('#login-view').isHidden()).toBe(true);
    expect(await page.locator('#logout').isVisible()).toBe(true);
    expect(await text('#cluster-name')).toBe('test91');
    expect(await text('#runtime')).toBe('local');
    await until('every node UP and the cluster healthy', async () => {
      const b = await badges();
      return (await text('#health')) === 'healthy' && ['web1', 'web2', 'mysql1', 'mysql2'].every((n) => b[n] === 'UP') && Object.keys(b).length === 4;
    });
    await page.waitForSelector('#live.on');
    expect(await page.isChecked('#session-mode input[value=sticky]')).toBe(true);
    // The links lead to this cluster's own entry point and stats page.
    const site = (await page.getAttribute('#link-session', 'href'))!;
    expect(site).toBe(`http://${cluster.listen}:18080/`);
    expect(await page.getAttribute('#link-conntest', 'href')).toBe(`${site}conntest`);
    expect((await request(site)).status).toBe(200);
    expect(await page.getAttribute('#link-stats', 'href')).toMatch(new RegExp(`^http://${cluster.listen.replaceAll('.', '\\.')}:18404/`));
    // Every row has its last check, counted in seconds.
    await until('last-check ages', async () => (await page.locator('#web-table td.last-check').allTextContents()).every((t) => /^\d+ s ago$/.test(t)));
    await shot('main');
  });

  it('add web: an invalid cookie or a cookie in use shows the CLI message by the field and adds nothing', async () => {
    const before = yaml();
    // What the CLI says for the same input.
    const cli = await cluster.hactl('add', 'web', 'web3', '--cookie', 'S"3');
    expect(cli.code, cli.stderr).toBe(2);
    const cliMessage = /^  cookie: (.*)$/m.exec(cli.stderr)?.[1];
    expect(cliMessage, cli.stderr).toBeTruthy();

    await page.click('#add-web');
    await page.locator('#web-dialog').waitFor({ state: 'visible' });
    await page.fill('#web-form [name=name]', 'web3');
    await page.fill('#web-form [name=cookie]', 'S"3');
    await page.click('#web-form button[type=submit]');
    await until('the cookie field error', async () => (await text('#web-form .error[data-field=cookie]')) !== '');
    expect(await text('#web-form .error[data-field=cookie]')).toBe(cliMessage);
    expect(await page.getAttribute('#web-form [name=cookie]', 'aria-invalid')).toBe('true');
    expect(await text('#web-form .error[data-field=name]')).toBe('');
    expect(await page.locator('#web-dialog').isVisible()).toBe(true);
    await shot('add-web-field-error', false);

    await page.fill('#web-form [name=cookie]', 'S1');
    await page.click('#web-form button[type=submit]');
    await until('the duplicate cookie error', async () => (await text('#web-form .error[data-field=cookie]')).includes('S1'));
    expect(await text('#web-form .error[data-field=cookie]')).toBe('cookie "S1" is already used by web1');
    expect(await page.locator('#web-dialog').isVisible()).toBe(true);

    // Both attempts were announced, and both failed.
    await until('two failed adds in the activity list', async () => (await page.locator('#activity li.failed[data-op="add web web3"]').count()) === 2);
    expect(yaml()).toBe(before);
    expect(pidOf('web3')).toBeUndefined();
    expect(Object.keys(await badges())).not.toContain('web3');
    await page.click('#web-form button.cancel');
    await page.locator('#web-dialog').waitFor({ state: 'hidden' });
  });

  it('adds web3 through the dialog; its row turns UP and the steps show in the activity list', async () => {
    const started = Date.now();
    await page.click('#add-web');
    await page.locator('#web-dialog').waitFor({ state: 'visible' });
    // The dialog starts empty again, without the last attempt's errors.
    expect(await page.inputValue('#web-form [name=cookie]')).toBe('');
    expect(await text('#web-form .error[data-field=cookie]')).toBe('');
    await page.fill('#web-form [name=name]', 'web3');
    await page.fill('#web-form [name=cookie]', 'S3');
    await page.click('#web-form button[type=submit]');
    await page.locator('#web-dialog').waitFor({ state: 'hidden', timeout: 45_000 });
    await until('web3 UP', badgeIs('web3', 'UP'), 20_000);
    console.log(`add web3 through the page: ${Date.now() - started} ms`);
    expect(await infoOpen()).toBe(false);
    expect(yaml()).toMatch(/\{ name: web3, cookie: S3 \}/);
    expect(await text('#web-table tr[data-node=web3] td:nth-child(3)')).toBe('127.0.101.3');
    expect(await page.locator('#activity li.done[data-op="add web web3"]').count()).toBe(1);
    expect(await page.locator('#activity li.step[data-op="add web web3"]').count()).toBeGreaterThan(0);
    // And lb-web sends visitors to it.
    await until('web3 serving through lb-web', async () => {
      for (let i = 0; i < 6; i++) if ((await request(`${cluster.url}/health`)).headers['x-served-by'] === 'web3') return true;
      return false;
    });
  }, 60_000);

  it('drains web3 (DRAIN) and enables it again (UP)', async () => {
    await page.click('#web-table button[data-action=state][data-state=drain][data-node=web3]');
    await until('web3 DRAIN', badgeIs('web3', 'DRAIN'));
    expect(yaml()).toMatch(/name: web3.*state: drain/);
    // Drained, its button offers Enable instead of Drain.
    expect(await page.locator('#web-table button[data-action=state][data-state=drain][data-node=web3]').count()).toBe(0);
    await page.click('#web-table button[data-action=state][data-state=ready][data-node=web3]');
    await until('web3 UP again', badgeIs('web3', 'UP'));
    expect(yaml()).not.toMatch(/name: web3.*state: drain/);
    expect(await infoOpen()).toBe(false);
  });

  it('switches the session mode to db and back to sticky, after a confirmation; Cancel changes nothing', async () => {
    const mode = () => /^session_mode: (\w+)$/m.exec(yaml())?.[1];
    const checked = () => page.evaluate(() => document.querySelector<HTMLInputElement>('#session-mode input:checked')?.value);

    // Cancel: the radio goes back to what the cluster has.
    await page.click('#session-mode input[value=none]');
    await page.locator('#info-dialog').waitFor({ state: 'visible' });
    expect(await text('#info-ok')).toBe('Confirm');
    await page.click('#info-cancel');
    await until('the radio back on sticky', async () => (await checked()) === 'sticky');
    expect(mode()).toBe('sticky');

    for (const [to, label] of [
      ['db', 'in the database'],
      ['sticky', 'balancer stickiness'],
    ] as const) {
      const done = await finished('session mode');
      await page.click(`#session-mode input[value=${to}]`);
      await page.locator('#info-dialog').waitFor({ state: 'visible' });
      expect(await text('#info-body')).toContain(`"${label}"`);
      await page.click('#info-ok');
      await until(`the switch to ${to} done`, async () => (await finished('session mode')) > done, 30_000);
      expect(await page.locator('#activity li.failed[data-op="session mode"]').count()).toBe(0);
      expect(await infoOpen()).toBe(false);
      expect(mode()).toBe(to);
      await until(`the radio on ${to}`, async () => (await checked()) === to);
    }
  });

  it('reloads HAProxy after a confirmation and shows what was reloaded', async () => {
    await page.click('#reload');
    await page.locator('#info-dialog').waitFor({ state: 'visible' });
    expect(await text('#info-body')).toMatch(/reload them without dropping a connection/);
    await page.click('#info-ok');
    // The dialog comes back with the outcome, whichever it is (the screenshot shows it).
    await until('the reload outcome', async () => (await infoOpen()) && !(await text('#info-body')).includes('without dropping a connection'), 30_000);
    await shot('reload-result', false);
    expect(await text('#info-title')).toBe('Reload the balancers');
    expect(await text('#info-body')).toMatch(/^Reloaded: .*lb-web/);
    expect(await text('#info-ok')).toBe('Close');
    expect(await page.locator('#info-cancel').isHidden()).toBe(true);
    await page.click('#info-ok');
    await page.locator('#info-dialog').waitFor({ state: 'hidden' });
    expect(await badges()).toMatchObject({ web1: 'UP', web2: 'UP', web3: 'UP' });
  });

  it('shows changes made elsewhere without a reload of the page: a killed node, hactl up, a drain from the CLI', async () => {
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));

    await cluster.kill('web2');
    const down = await until('web2 no longer UP', async () => {
      const s = (await badges()).web2;
      return s !== undefined && s !== 'UP';
    }, 8_000);
    console.log(`web2 killed: its badge left UP after ${down} ms`);
    await until('web2 DOWN and the cluster degraded', async () => (await badges()).web2?.startsWith('DOWN') && (await text('#health')) === 'degraded');

    const up = await cluster.hactl('up');
    expect(up.code, up.stderr).toBe(0);
    await until('web2 UP again', badgeIs('web2', 'UP'), 15_000);
    await until('healthy again', async () => (await text('#health')) === 'healthy');

    const drain = await cluster.hactl('drain', 'web1');
    expect(drain.code, drain.stderr).toBe(0);
    const drained = await until('web1 DRAIN', badgeIs('web1', 'DRAIN'), 5_000);
    console.log(`hactl drain web1: seen in the page after ${drained} ms`);
    expect((await cluster.hactl('enable', 'web1')).code).toBe(0);
    await until('web1 UP', badgeIs('web1', 'UP'), 5_000);

    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(await page.locator('#live.on').count()).toBe(1);
  }, 60_000);

  it('tests the connection to a node and shows the answer', async () => {
    await page.click('#web-table button[data-action=test][data-node=web3]');
    await until('the test outcome of web3', async () => infoOpen(), 15_000);
    // Title and body together: a failure shows the page's error message too.
    expect({ title: await text('#info-title'), body: await text('#info-body') }).toEqual({
      title: 'Connection test: web3',
      body: expect.stringMatching(/^web3 answers: HTTP 200, served by web3 \(http:\/\/127\.0\.101\.3:8000\/health, \d+ ms\)$/),
    });
    await page.click('#info-ok');
    await page.locator('#info-dialog').waitFor({ state: 'hidden' });
  });

  it('shows a node log and a DB node replication', async () => {
    await page.click('#web-table button[data-action=logs][data-node=web1]');
    await until('the log of web1', async () => (await infoOpen()) && (await text('#info-title')).startsWith('Log of web1'));
    expect(await text('#info-title')).toBe('Log of web1 (last 200 lines)');
    expect(await text('#info-body pre.log')).not.toBe('');
    await shot('logs', false);
    await page.click('#info-ok');
    await page.locator('#info-dialog').waitFor({ state: 'hidden' });

    await page.click('#db-table button[data-action=replication][data-node=mysql1]');
    await until('the replication of mysql1', async () => (await infoOpen()) && (await text('#info-title')) === 'Replication of mysql1');
    const cells = await page.locator('#info-body tbody tr').first().locator('td').allTextContents();
    // From, IO thread, SQL thread, …
    expect(cells.slice(0, 3)).toEqual(['mysql2', 'Yes', 'Yes']);
    expect(await text('#info-body strong')).toBe('Synced');
    await shot('replication', false);
    await page.click('#info-ok');
    await page.locator('#info-dialog').waitFor({ state: 'hidden' });
  });

  it('lists the history, shows what a version changed, and rolls back to it after showing the plan', async () => {
    const rows = page.locator('#history-table tbody tr');
    await until('the history listed', async () => (await rows.count()) > 0);
    // Newest first, the running one marked.
    const numbers = (await page.locator('#history-table tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-version'))))) as number[];
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    expect(await page.locator('#history-table tr.running td.version .badge').allTextContents()).toEqual(['running']);
    const added = page.locator('#history-table tbody tr', { has: page.locator('td', { hasText: /^dashboard: add web web3$/ }) });
    expect(await added.count()).toBe(1);
    const version = Number(await added.getAttribute('data-version'));
    expect(await added.locator('td.result').textContent()).toBe('applied');
    expect(await added.locator('td').nth(2).textContent()).toBe('admin');

    await added.locator('button[data-action=diff-before]').click();
    await until('the diff of the add', async () => (await page.locator('#history-diff details[data-path="cluster.yaml"]').count()) === 1);
    expect(await text('#history-diff h3')).toBe(`What version ${version} changed (against version ${version - 1})`);
    expect(await page.locator('#history-diff details[data-path="cluster.yaml"] pre span.add').allTextContents()).toContainEqual(expect.stringMatching(/^\+.*web3, cookie: S3/));
    // Only files that changed are shown, each with its lines.
    for (const file of await page.locator('#history-diff details.file-diff').all()) expect(await file.locator('span.add, span.del').count()).toBeGreaterThan(0);
    expect(await page.locator('#history-table tr.selected').getAttribute('data-version')).toBe(String(version));
    // A long diff (a new node's whole config) starts folded, the rest open.
    const folding = await page.locator('#history-diff details.file-diff').evaluateAll((ds) => ds.map((d) => [d.querySelectorAll('pre .lines > span').length > 60, !(d as HTMLDetailsElement).open]));
    expect(folding.every(([long, folded]) => long === folded)).toBe(true);
    expect(await page.locator('#history-diff details[data-path="cluster.yaml"]').getAttribute('open')).toBe('');
    await page.locator('#history-card').screenshot({ path: join(SHOTS, 'dashboard-history.png') });

    // Back to sessions in the database: the first of the two switches (to db, then back to sticky).
    const switches = page.locator('#history-table tbody tr', { has: page.locator('td.mono', { hasText: /^dashboard: session mode$/ }) });
    const toDb = Math.min(...((await switches.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-version'))))) as number[]));
    await page.click(`#history-table button[data-action=rollback][data-version="${toDb}"]`);
    await until('the rollback plan', async () => (await infoOpen()) && (await text('#info-title')) === `Roll back to version ${toDb}`);
    expect(await text('#info-ok')).toBe('Confirm');
    expect(await text('#info-body p')).toMatch(new RegExp(`^cluster\\.yaml becomes version ${toDb} again`));
    expect(await page.locator('#info-body table.plan tbody tr').allTextContents()).toContainEqual(expect.stringMatching(/^lb-webreload \(hitless\)/));
    await shot('dashboard-rollback-plan', false);
    await page.click('#info-ok');
    await until('the rollback done', async () => (await finished(`rollback to version ${toDb}`)) > 0, 30_000);
    expect(await page.locator(`#activity li.failed[data-op="rollback to version ${toDb}"]`).count()).toBe(0);
    await until('the rollback outcome', async () => (await infoOpen()) && (await text('#info-body')).startsWith(`cluster.yaml is version ${toDb} again`));
    await page.click('#info-ok');
    expect(/^session_mode: (\w+)$/m.exec(yaml())?.[1]).toBe('db');
    // The list is read again: the rollback is the newest version, and runs.
    await until('the rollback listed', async () => (await text('#history-table tbody tr:first-child td.mono')) === `dashboard: rollback to version ${toDb}`);
    expect(await page.locator('#history-table tbody tr:first-child td.version .badge').textContent()).toBe('running');
    await until('every web node UP', async () => Object.entries(await badges()).every(([, s]) => s === 'UP'));
  }, 60_000);

  it('warns when what runs differs from cluster.yaml or the files on disk, and shows the difference on disk (the hand edits)', async () => {
    const running = Number(await page.locator('#history-table tr.running').getAttribute('data-version'));
    const [file, cfg] = [join(cluster.dir, 'cluster.yaml'), join(cluster.dir, '.hactl/config/lb-web/haproxy.cfg')];
    const [yamlBefore, cfgBefore] = [yaml(), readFileSync(cfg, 'utf8')];
    // Hand edits, applied by nobody: cluster.yaml says other sessions, and lb-web's config on disk has a line more.
    writeFileSync(file, yamlBefore.replace(/^session_mode: db$/m, 'session_mode: none'));
    writeFileSync(cfg, `${cfgBefore}# edited by hand\n`);
    try {
      await until('the drift warning', async () => (await page.locator('#drift p').count()) === 2);
      expect(await page.locator('#drift p').allTextContents()).toEqual([
        `cluster.yaml differs from running version ${running}.`,
        `Rendered files changed on disk since version ${running}: lb-web/haproxy.cfg`,
      ]);
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot('dashboard-drift', false);
      await page.click('#drift button');
      await until('the diff against the files on disk', async () => (await text('#history-diff h3')) === `Version ${running} against the files on disk now (hand edits included)`);
      expect(await page.locator('#history-diff details[data-path="cluster.yaml"] span.add').allTextContents()).toContain('+session_mode: none');
      expect(await page.locator('#history-diff details[data-path="lb-web/haproxy.cfg"] span.add').allTextContents()).toContain('+# edited by hand');
    } finally {
      writeFileSync(file, yamlBefore);
      writeFileSync(cfg, cfgBefore);
    }
    await page.locator('#drift').waitFor({ state: 'hidden' });
  });

  it('a row button answers a click held like a person holds it (150 ms), while snapshots keep arriving', async () => {
    // The rows are re-read several times a second; a button replaced between
    // mouse down and mouse up receives no click (app.ts renderRows says so).
    const opened: boolean[] = [];
    await page.locator('#web-table button[data-action=logs][data-node=web2]').scrollIntoViewIfNeeded();
    for (let i = 0; i < 5; i++) {
      const box = await page.locator('#web-table button[data-action=logs][data-node=web2]').boundingBox();
      expect(box).not.toBeNull();
      await page.mouse.move(box!.x + box!.width / 2, box!.y + box!.height / 2);
      await page.mouse.down();
      await new Promise((r) => setTimeout(r, 150));
      await page.mouse.up();
      const open = await eventually('the log dialog', infoOpen, 2_000).catch(() => false);
      opened.push(open);
      if (open) {
        await page.keyboard.press('Escape');
        await page.locator('#info-dialog').waitFor({ state: 'hidden' });
      }
    }
    expect(opened).toEqual([true, true, true, true, true]);
  });

  it('switches to French, keeps it after a reload of the page, and back to English', async () => {
    await page.selectOption('#lang', 'fr');
    expect(await text('h1')).toBe('Tableau de bord du cluster HAProxy');
    expect(await page.title()).toBe('Tableau de bord du cluster HAProxy');
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    expect(await text('#add-web')).toBe('Ajouter un serveur web');
    expect(await text('#web-table button[data-action=logs][data-node=web1]')).toBe('Journaux');
    expect(await text('#health')).toBe('sain');
    await until('ages in French', async () => (await page.locator('#web-table td.last-check').allTextContents()).every((t) => /^il y a \d+ s$/.test(t)));
    await shot('french');

    await page.reload();
    await page.waitForSelector('body[data-ready=true]');
    expect(await text('h1')).toBe('Tableau de bord du cluster HAProxy');
    expect(await page.inputValue('#lang')).toBe('fr');

    await page.selectOption('#lang', 'en');
    expect(await text('h1')).toBe('HAProxy Cluster Dashboard');
    expect(await text('#web-table button[data-action=logs][data-node=web1]')).toBe('Logs');
  });

  it('logs out: the login form is back and the API refuses the old session', async () => {
    await page.click('#logout');
    await page.locator('#login-view').waitFor({ state: 'visible' });
    expect(await page.locator('#app-view').isHidden()).toBe(true);
    expect(await page.locator('#live').isHidden()).toBe(true);
    const status = await page.evaluate(async () => (await fetch('/api/status')).status);
    expect(status).toBe(401);
  });

  it('asked nothing of any other address, and threw no error', () => {
    expect(foreignRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
