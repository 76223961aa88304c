import { ApiError, call, setCsrf } from './api.js';
import { $, h } from './dom.js';
import { diffView, driftAgainst, driftLines, planBody, versionRows, type Against, type DiffAnswer, type Drift, type PlanStep } from './history.js';
import type { VersionSummary } from '../../history/version.js';
import { language, setLanguage, t, translate, type Key, type Language } from './i18n.js';
import type { DashboardSnapshot, Problem } from '../snapshot-model.js';
import type { DbNodeStatus, NodeStatusWord, WebNodeStatus } from '../../status/model.js';

type Snapshot = DashboardSnapshot;
type NodeRow = WebNodeStatus | DbNodeStatus;

interface OpEvent {
  id: string;
  op: string;
  state?: 'started' | 'done' | 'failed';
  step?: string;
  detail?: string;
  message?: string;
  at: number;
}

let snapshot: Snapshot | undefined;
/** Server clock minus ours, so "2 s ago" is right even if the clocks differ. */
let clockSkew = 0;
let events: EventSource | undefined;
let modeChanging = false;
/** The recorded versions, oldest first, as GET /api/history answered last. */
let versions: VersionSummary[] = [];
/** Which read of the history is the newest: an older one that answers later is dropped. */
let historyReads = 0;
/** The diff on show, if any. */
let shownDiff: { version: number; against: Against; answer: DiffAnswer } | undefined;
/** The running version the snapshots named last: when it moves (an apply from the CLI too), the history is read again. */
let lastRunning: number | undefined;

// ---- start ---------------------------------------------------------------

async function start(): Promise<void> {
  const lang = $('#lang') as HTMLSelectElement;
  lang.value = language();
  lang.addEventListener('change', () => {
    setLanguage(lang.value as Language);
    translate(document);
    if (snapshot) render(snapshot);
    renderHistory();
  });
  translate(document);
  $('#login').addEventListener('submit', (e) => void login(e));
  $('#logout').addEventListener('click', () => void logout());
  wireActions();
  // The server puts the session's token and first snapshot in the page of a logged-in
  // browser (a snapshot it could not read is asked for again); without them there is no session.
  const boot = JSON.parse($('#boot').textContent || '{}') as { csrf?: string; snapshot?: Snapshot };
  if (!boot.csrf) return showLogin();
  setCsrf(boot.csrf);
  void showApp(boot.snapshot ? Promise.resolve(boot.snapshot) : undefined);
}

function showLogin(): void {
  events?.close();
  // No live feed without a session: the badge would say "reconnecting…" to someone who never connected.
  $('#live').hidden = true;
  $('#app-view').hidden = true;
  $('#logout').hidden = true;
  $('#login-view').hidden = false;
  ($('#login [name=password]') as HTMLInputElement).focus();
}

async function login(e: Event): Promise<void> {
  e.preventDefault();
  const form = e.target as HTMLFormElement;
  const data = new FormData(form);
  $('#login-error').textContent = '';
  try {
    const session = await call<{ csrf: string }>('POST', '/api/login', { user: data.get('user'), password: data.get('password') });
    setCsrf(session.csrf);
    form.reset();
    await showApp();
  } catch (err) {
    $('#login-error').textContent = (err as Error).message;
  }
}

async function logout(): Promise<void> {
  await call('POST', '/api/logout').catch(() => undefined);
  snapshot = undefined;
  showLogin();
}

async function showApp(status = call<Snapshot>('GET', '/api/status')): Promise<void> {
  $('#login-view').hidden = true;
  $('#app-view').hidden = false;
  $('#logout').hidden = false;
  $('#live').hidden = false;
  connect();
  lastRunning = undefined;
  void loadHistory();
  const first = await status;
  // The live feed may have brought a newer one meanwhile.
  if (!snapshot || snapshot.observed_at < first.observed_at) render(first);
}

/** Server-sent events: a snapshot whenever hactl reads one, and every operation's steps. */
function connect(): void {
  events?.close();
  events = new EventSource('/api/events');
  const live = $('#live');
  const setLive = (state: 'live_on' | 'live_off' | 'live_error', why = '') => {
    live.className = `live ${state === 'live_on' ? 'on' : 'off'}`;
    live.dataset.i18n = state;
    live.textContent = t(state);
    live.title = why;
  };
  events.addEventListener('open', () => setLive('live_on'));
  // hactl could not read the cluster this time (a socket gone, cluster.yaml unreadable): said, not hidden.
  events.addEventListener('feed-error', (e) => setLive('live_error', problemText(JSON.parse((e as MessageEvent<string>).data) as Problem)));
  events.addEventListener('error', () => {
    setLive('live_off');
    // Closed for good: the session is gone (dashboard restarted, or logged out elsewhere).
    if (events?.readyState === EventSource.CLOSED) void call('GET', '/api/session').catch(() => showLogin());
  });
  events.addEventListener('status', (e) => {
    if (live.dataset.i18n === 'live_error') setLive('live_on');
    render(JSON.parse((e as MessageEvent<string>).data) as Snapshot);
  });
  events.addEventListener('progress', (e) => activity(JSON.parse((e as MessageEvent<string>).data) as OpEvent));
  events.addEventListener('op', (e) => {
    const op = JSON.parse((e as MessageEvent<string>).data) as OpEvent;
    activity(op);
    // A failed apply is recorded too.
    if (op.state === 'done' || op.state === 'failed') void loadHistory();
  });
}

// ---- rendering -----------------------------------------------------------

// The page cannot load src/status/model.ts's conditionOf (only its types): the same reading, checked against NodeStatusWord.
function statusClass(status: NodeStatusWord): string {
  if (status === 'UP' || status === 'UP (no check)') return 'ok';
  if (status.startsWith('DRAIN')) return 'drain';
  if (status.startsWith('MAINT')) return 'maint';
  if (status.startsWith('DOWN') || status === 'STOPPED') return 'bad';
  // "UP 1/2": still up, but failing its checks.
  return 'warn';
}

function statusCell(n: NodeRow): HTMLTableCellElement {
  return h(
    'td',
    { class: 'status' },
    h('span', { class: `badge ${statusClass(n.status)}`, 'data-status': n.status }, n.status),
    // Apache's own words beside hactl's: "Init Drn Ok".
    n.type === 'web' && n.flags ? h('small', { class: 'flags' }, n.flags) : null,
    // A DB node's agent says why lb-db leaves it out ("DRAIN: 14 s behind mysql1").
    n.type === 'db' && n.reason ? h('small', { class: 'reason' }, n.reason) : h('small', { class: 'check' }, n.check),
    n.process === 'stopped' ? h('small', { class: 'check' }, t('process_stopped')) : null,
  );
}

function button(action: string, node: string, label: Key, extra: Record<string, string> = {}): HTMLButtonElement {
  return h('button', { type: 'button', class: 'small', 'data-action': action, 'data-node': node, ...extra }, t(label));
}

function actionsCell(...buttons: (HTMLButtonElement | null)[]): HTMLTableCellElement {
  return h('td', { class: 'actions' }, h('div', {}, ...buttons));
}

function webActions(n: WebNodeStatus): HTMLTableCellElement {
  const inRotation = !n.status.startsWith('DRAIN') && !n.status.startsWith('MAINT');
  return actionsCell(
    button('logs', n.name, 'act_logs'),
    button('restart', n.name, 'act_restart'),
    inRotation ? button('state', n.name, 'act_drain', { 'data-state': 'drain' }) : button('state', n.name, 'act_enable', { 'data-state': 'ready' }),
    !n.status.startsWith('MAINT') ? button('state', n.name, 'act_disable', { 'data-state': 'maint' }) : null,
    button('remove-web', n.name, 'act_remove'),
    button('test', n.name, 'act_test'),
  );
}

function dbActions(n: DbNodeStatus): HTMLTableCellElement {
  return actionsCell(
    button('replication', n.name, 'act_replication'),
    n.process === 'running' ? button('stop', n.name, 'act_stop') : button('start', n.name, 'act_start'),
    // The planner says why a backup cannot take over (behind, down): the dialog shows it.
    n.role === 'backup' && n.process === 'running' ? button('switchover', n.name, 'act_switchover') : null,
    button('remove-db', n.name, 'act_remove', { 'data-role': n.role }),
    button('test', n.name, 'act_test'),
  );
}

function lastCheckCell(name: string): HTMLTableCellElement {
  return h('td', { class: 'last-check', 'data-node': name }, '');
}

function row(n: NodeRow): HTMLTableRowElement {
  const common = [h('td', {}, t(n.type === 'web' ? 'type_web' : 'type_db')), h('td', { class: 'name' }, n.name), h('td', {}, n.address), h('td', {}, n.port)];
  const cells =
    n.type === 'web'
      ? [...common, statusCell(n), lastCheckCell(n.name), webActions(n)]
      : [...common, h('td', {}, t(n.role === 'active' ? 'role_active' : 'role_backup')), statusCell(n), h('td', { class: 'replication' }, n.replication_summary), lastCheckCell(n.name), dbActions(n)];
  return h('tr', { 'data-node': n.name }, ...cells);
}

/** What a row shows, but for the check's detail: that changes with every check ("in 1 ms", "in 3 ms"). */
function rowKey(n: NodeRow): string {
  const shown = [language(), n.type, n.name, n.address, n.port, n.status, n.process, n.type === 'web' ? n.flags : null];
  return JSON.stringify(n.type === 'db' ? [...shown, n.role, n.replication_summary, n.reason] : shown);
}

/**
 * Rows are rebuilt only when what they show changed, the check's detail is
 * updated in place: snapshots come several times a second, and a button
 * replaced under the pointer loses its click.
 */
function renderRows(tbody: HTMLElement, nodes: NodeRow[]): void {
  const keep = new Map<string, HTMLTableRowElement>();
  for (const tr of tbody.querySelectorAll<HTMLTableRowElement>('tr[data-node]')) keep.set(tr.dataset.node!, tr);
  const rows = nodes.map((n) => {
    const key = rowKey(n);
    const old = keep.get(n.name);
    const tr = old && old.dataset.key === key ? old : row(n);
    tr.dataset.key = key;
    const check = tr.querySelector('small.check');
    if (check && check.textContent !== n.check) check.textContent = n.check;
    return tr;
  });
  if (rows.length !== tbody.children.length || rows.some((r, i) => tbody.children[i] !== r)) tbody.replaceChildren(...rows);
}

function safeHref(url: string): string {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : '#';
  } catch {
    return '#';
  }
}

/** The session store nodes (memcached, Redis and its Sentinels): their process and a Redis node's role, as hactl status shows them; rebuilt only when that changed. */
function renderStores(stores: Snapshot['stores']): void {
  $('#stores-card').hidden = stores.length === 0;
  const tbody = $('#store-table tbody');
  const key = JSON.stringify([language(), stores.map((n) => [n.name, n.address, n.port, n.status, n.role])]);
  if (tbody.dataset.key === key) return;
  tbody.dataset.key = key;
  tbody.replaceChildren(
    ...stores.map((n) =>
      h(
        'tr',
        { 'data-node': n.name },
        h('td', {}, n.store),
        h('td', {}, h('strong', {}, n.name)),
        h('td', {}, n.address),
        h('td', {}, String(n.port)),
        h('td', { class: 'status' }, h('span', { class: `badge ${n.status === 'UP' ? 'ok' : 'bad'}`, 'data-status': n.status }, n.status)),
        h('td', { class: 'role' }, n.role ? t(`role_${n.role}`) : n.store === 'sentinel' ? t('role_sentinel') : ''),
      ),
    ),
  );
}

/** The certificate lb-web serves: its days left, amber under 30, red once expired; its names and end in the tooltip. */
function renderCert(tls: Snapshot['tls']): void {
  $('#cert-item').hidden = tls === null;
  if (tls === null) return;
  const badge = $('#cert');
  badge.textContent = tls.days_left < 0 ? t('cert_expired') : t(tls.expiring ? 'cert_expiring' : 'cert_days', { n: tls.days_left });
  badge.className = `badge ${tls.days_left < 0 ? 'bad' : tls.expiring ? 'warn' : 'ok'}`;
  badge.title = `${tls.names.join(', ')} (${tls.source}) · ${tls.not_after}`;
}

function render(s: Snapshot): void {
  snapshot = s;
  clockSkew = s.observed_at - Date.now();
  $('#cluster-name').textContent = s.cluster;
  $('#runtime').textContent = s.runtime;
  $('#engine').textContent = s.engine;
  const health = $('#health');
  health.textContent = t(`health_${s.health}` as Key);
  health.className = `badge ${s.health === 'healthy' ? 'ok' : s.health === 'degraded' ? 'warn' : 'bad'}`;
  // Why it is not healthy, in the status reader's words (hactl status prints the same lines).
  const reasons = $('#health-reasons');
  reasons.hidden = s.health_reasons.length === 0;
  reasons.replaceChildren(...s.health_reasons.map((r) => h('li', {}, r)));
  renderCert(s.tls);
  followHistory((s.history ?? null) as Drift | null);
  const https = $('#link-https') as HTMLAnchorElement;
  $('#link-https-item').hidden = s.links.https === null;
  https.href = s.links.https === null ? '#' : safeHref(s.links.https);
  const banner = $('#config-error');
  banner.hidden = !s.config_error;
  // Its problem lines are what to fix: "has 1 problem" alone says nothing.
  banner.replaceChildren(...(s.config_error ? [h('p', {}, `${t('config_error')} ${s.config_error.message}`), ...s.config_error.details.map((d) => h('pre', { class: 'detail' }, d))] : []));
  renderRows($('#web-table tbody'), s.nodes.filter((n) => n.type === 'web'));
  renderRows($('#db-table tbody'), s.nodes.filter((n) => n.type === 'db'));
  renderStores(s.stores);
  ($('#link-session') as HTMLAnchorElement).href = safeHref(s.links.site);
  ($('#link-conntest') as HTMLAnchorElement).href = safeHref(s.links.conntest);
  const stats = $('#link-stats') as HTMLAnchorElement;
  stats.href = safeHref(s.links.stats);
  // The stats port serves the engine's own page: HAProxy's stats, or Apache's balancer-manager.
  const label: Key = s.engine === 'apache' ? 'link_manager' : 'link_stats';
  if (stats.dataset.i18n !== label) {
    stats.dataset.i18n = label;
    stats.textContent = t(label);
  }
  // A mode the cluster has no store for (memcached without its nodes) is not offered.
  for (const radio of document.querySelectorAll<HTMLInputElement>('#session-mode input')) radio.closest('label')!.hidden = !s.session_modes.includes(radio.value as Snapshot['session_mode']);
  if (!modeChanging) {
    for (const radio of document.querySelectorAll<HTMLInputElement>('#session-mode input')) radio.checked = radio.value === s.session_mode;
  }
  tick();
  document.body.dataset.ready = 'true';
}

/** "Last check" ages, every second between snapshots too. */
function tick(): void {
  if (!snapshot) return;
  const now = Date.now() + clockSkew;
  for (const cell of document.querySelectorAll<HTMLElement>('td.last-check')) {
    const at = snapshot.last_check[cell.dataset.node!];
    if (at === null || at === undefined) {
      cell.textContent = t('never');
      continue;
    }
    const s = Math.max(0, Math.round((now - at) / 1000));
    cell.textContent = s < 120 ? t('seconds_ago', { n: s }) : t('minutes_ago', { n: Math.floor(s / 60) });
    cell.title = new Date(at).toLocaleString(language());
  }
}
setInterval(tick, 1000);

// ---- history ---------------------------------------------------------------

async function loadHistory(): Promise<void> {
  const read = ++historyReads;
  try {
    const r = await call<{ result: VersionSummary[] }>('GET', '/api/history');
    if (read !== historyReads) return;
    versions = r.result;
    $('#history-error').textContent = '';
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return showLogin();
    $('#history-error').textContent = problemText(err as ApiError);
  }
  renderHistory();
}

function renderHistory(): void {
  $('#history-empty').hidden = versions.length > 0;
  $('#history-table').hidden = versions.length === 0;
  $('#history-table tbody').replaceChildren(...versionRows(versions, shownDiff?.version));
  const box = $('#history-diff');
  box.hidden = shownDiff === undefined;
  box.replaceChildren(...(shownDiff ? [diffView(shownDiff.version, shownDiff.against, shownDiff.answer)] : []));
}

/**
 * The drift warning, rebuilt only when its words change (a snapshot comes
 * several times a second, and its button must keep its click), and the
 * history read again when the running version moves.
 */
function followHistory(drift: Drift | null): void {
  const lines = driftLines(drift);
  const banner = $('#drift');
  const key = JSON.stringify([language(), lines]);
  if (banner.dataset.key !== key) {
    banner.dataset.key = key;
    banner.hidden = lines.length === 0;
    const show = drift && lines.length > 0 ? [h('button', { type: 'button', class: 'small', 'data-action': `diff-${driftAgainst(drift)}`, 'data-version': String(drift.running_version) }, t('drift_show'))] : [];
    banner.replaceChildren(...lines.map((l) => h('p', {}, l)), ...show);
  }
  const running = drift?.running_version;
  if (running === undefined || running === lastRunning) return;
  // The first one is what showApp's read already has.
  if (lastRunning !== undefined) void loadHistory();
  lastRunning = running;
}

async function showDiff(el: HTMLButtonElement, version: number, against: Against): Promise<void> {
  const query = against === 'before' ? '' : `?against=${against}`;
  const r = await operation(el, t('history'), () => call<{ result: DiffAnswer }>('GET', `/api/history/${version}/diff${query}`));
  if (!r) return;
  shownDiff = { version, against, answer: r.result };
  renderHistory();
  $('#history-diff').scrollIntoView({ block: 'nearest' });
}

/** The plan first, as a question (a dry run, nothing changed); then the rollback itself. */
async function rollbackTo(el: HTMLButtonElement, version: number): Promise<void> {
  const title = t('rollback_title', { n: version });
  const plan = await operation(el, title, () => call<{ result: { steps: PlanStep[] } }>('GET', `/api/rollback?version=${version}`));
  if (!plan || !(await dialog(title, planBody(version, plan.result.steps), true))) return;
  const done = await operation(el, title, () => call('POST', '/api/rollback', { version }));
  if (done) await dialog(title, t('rollback_done', { n: version }));
}

async function historyAction(el: HTMLButtonElement): Promise<void> {
  const version = Number(el.dataset.version);
  switch (el.dataset.action) {
    case 'diff-before':
    case 'diff-now':
    case 'diff-disk':
      return showDiff(el, version, el.dataset.action.slice('diff-'.length) as Against);
    case 'diff-close':
      shownDiff = undefined;
      return renderHistory();
    case 'rollback':
      return rollbackTo(el, version);
  }
}

// ---- activity --------------------------------------------------------------

function activity(e: OpEvent): void {
  const list = $('#activity');
  list.querySelector('li.hint')?.remove();
  const time = new Date(e.at).toLocaleTimeString(language());
  const what = e.state ? `${t(`op_${e.state}` as Key)}${e.message ? `: ${e.message}` : ''}` : `${e.step}${e.detail ? `: ${e.detail}` : ''}`;
  list.prepend(h('li', { class: e.state ?? 'step', 'data-op': e.op }, h('time', {}, time), ' ', h('strong', {}, e.op), ' ', what));
  while (list.children.length > 60) list.lastElementChild?.remove();
}

// ---- dialogs -------------------------------------------------------------

/** The info dialog, as a message (CONFIRM false) or a question: resolves true on OK. */
function dialog(title: string, body: Node | string, confirm = false): Promise<boolean> {
  const d = $('#info-dialog') as HTMLDialogElement;
  $('#info-title').textContent = title;
  $('#info-body').replaceChildren(typeof body === 'string' ? h('p', {}, body) : body);
  const ok = $('#info-ok');
  const cancel = $('#info-cancel');
  ok.textContent = t(confirm ? 'confirm' : 'close');
  cancel.hidden = !confirm;
  d.showModal();
  return new Promise((resolve) => {
    const done = (answer: boolean) => {
      ok.onclick = cancel.onclick = null;
      d.onclose = null;
      if (d.open) d.close();
      resolve(answer);
    };
    ok.onclick = () => done(true);
    cancel.onclick = () => done(false);
    d.onclose = () => done(false);
  });
}

const problemText = (p: Problem) => [p.message, ...p.details].join('\n');

function errorBody(err: unknown): Node {
  const e = err as ApiError;
  return h('div', {}, h('p', { class: 'error' }, e.message), ...(e.details ?? []).map((d) => h('pre', { class: 'detail' }, d)));
}

/** One operation from a button: the button waits, a failure is shown in full. */
async function operation<T>(el: HTMLButtonElement | null, title: string, run: () => Promise<T>): Promise<T | undefined> {
  if (el) el.disabled = true;
  try {
    return await run();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) showLogin();
    else await dialog(title, errorBody(err));
    return undefined;
  } finally {
    if (el) el.disabled = false;
  }
}

function formDialog(id: 'web' | 'db'): void {
  const d = $(`#${id}-dialog`) as HTMLDialogElement;
  const form = $(`#${id}-form`) as HTMLFormElement;
  const submit = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
  const clearErrors = () => {
    for (const el of form.querySelectorAll('.error')) el.textContent = '';
    for (const el of form.querySelectorAll('input')) el.removeAttribute('aria-invalid');
  };
  $(`#add-${id}`).addEventListener('click', () => {
    form.reset();
    clearErrors();
    d.showModal();
    form.querySelector<HTMLInputElement>('input[name=name]')!.focus();
  });
  form.querySelector('.cancel')!.addEventListener('click', () => d.close());
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearErrors();
    const body: Record<string, string | number> = {};
    for (const input of form.querySelectorAll('input')) {
      const v = input.value.trim();
      // The API takes a number field only as a number; what is not one goes as typed, for the server to name.
      if (v !== '') body[input.name] = input.inputMode === 'numeric' && /^\d+$/.test(v) ? Number(v) : v;
    }
    submit.disabled = true;
    submit.textContent = t('working');
    call('POST', `/api/${id}`, body)
      .then(() => d.close())
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 401) return showLogin();
        const e = err as ApiError;
        const fields = e.fields ?? {};
        let placed = false;
        for (const [field, message] of Object.entries(fields)) {
          const slot = form.querySelector(`.error[data-field="${CSS.escape(field)}"]`);
          if (!slot) continue;
          slot.textContent = message;
          form.querySelector(`input[name="${CSS.escape(field)}"]`)?.setAttribute('aria-invalid', 'true');
          placed = true;
        }
        if (!placed) form.querySelector('.error[data-field=_form]')!.textContent = problemText(e);
      })
      .finally(() => {
        submit.disabled = false;
        submit.textContent = t('add');
      });
  });
}

function replicationBody(n: DbNodeStatus): Node {
  const links = n.replication;
  const table = links.length
    ? h(
        'table',
        {},
        h('thead', {}, h('tr', {}, ...(['repl_from', 'repl_io', 'repl_sql', 'repl_lag', 'repl_gtid', 'repl_error'] as Key[]).map((k) => h('th', {}, t(k))))),
        h(
          'tbody',
          {},
          ...links.map((l) =>
            h('tr', {}, h('td', {}, l.from), h('td', {}, l.io_running), h('td', {}, l.sql_running), h('td', {}, l.seconds_behind === null ? '—' : `${l.seconds_behind} s`), h('td', { class: 'mono' }, l.gtid_io_pos), h('td', { class: 'error' }, l.last_error)),
          ),
        ),
      )
    : h('p', {}, t('repl_none'));
  return h('div', {}, h('p', {}, h('strong', {}, n.replication_summary)), h('p', {}, `${t('repl_current')}: `, h('code', {}, n.gtid_current_pos || '—')), table);
}

// ---- actions -------------------------------------------------------------

/** Clicks on AREA's buttons that name their action: the area listens, since its rows are rebuilt. */
function onAction(area: string, act: (el: HTMLButtonElement) => Promise<void>): void {
  $(area).addEventListener('click', (e) => {
    const el = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]');
    if (el) void act(el);
  });
}

function wireActions(): void {
  formDialog('web');
  formDialog('db');
  for (const table of ['#web-table', '#db-table']) onAction(table, nodeAction);
  for (const area of ['#history-card', '#drift']) onAction(area, historyAction);
  $('#refresh').addEventListener('click', (e) =>
    void operation(e.currentTarget as HTMLButtonElement, t('refresh'), async () => {
      render(await call<Snapshot>('POST', '/api/refresh'));
      await loadHistory();
    }),
  );
  $('#reload').addEventListener('click', (e) => void reload(e.currentTarget as HTMLButtonElement));
  $('#clean').addEventListener('click', (e) => void clean(e.currentTarget as HTMLButtonElement));
  for (const radio of document.querySelectorAll<HTMLInputElement>('#session-mode input')) {
    radio.addEventListener('change', () => void switchMode(radio.value));
  }
}

async function nodeAction(el: HTMLButtonElement): Promise<void> {
  const name = el.dataset.node!;
  const node = snapshot?.nodes.find((n) => n.name === name);
  const path = `/api/nodes/${encodeURIComponent(name)}`;
  switch (el.dataset.action) {
    case 'logs': {
      const text = await operation(el, t('act_logs'), () => call<string>('GET', `${path}/logs?lines=200`));
      if (text !== undefined) await dialog(t('logs_of', { name, n: 200 }), text.trim() === '' ? h('p', {}, t('log_empty')) : h('pre', { class: 'log' }, text));
      return;
    }
    case 'test': {
      const r = await operation(el, t('act_test'), () => call<{ result: { ok: boolean; ms: number; detail: string; target: string } }>('POST', `${path}/test`));
      if (r) await dialog(t('test_of', { name }), h('p', { class: r.result.ok ? 'good' : 'error' }, `${name} ${t(r.result.ok ? 'test_ok' : 'test_failed')}: ${r.result.detail} (${r.result.target}, ${r.result.ms} ms)`));
      return;
    }
    case 'replication':
      if (node?.type === 'db') await dialog(t('replication_of', { name }), replicationBody(node));
      return;
    case 'restart':
    case 'start':
      await operation(el, t(el.dataset.action === 'start' ? 'act_start' : 'act_restart'), () => call('POST', `${path}/${el.dataset.action}`));
      return;
    case 'stop':
      if (await dialog(t('act_stop'), t('confirm_stop', { name }), true)) await operation(el, t('act_stop'), () => call('POST', `${path}/stop`));
      return;
    case 'state':
      await operation(el, el.textContent ?? '', () => call('POST', `/api/web/${encodeURIComponent(name)}/state`, { state: el.dataset.state }));
      return;
    case 'remove-web':
      if (await dialog(t('act_remove'), t('confirm_remove_web', { name }), true)) await operation(el, t('act_remove'), () => call('DELETE', `/api/web/${encodeURIComponent(name)}`));
      return;
    case 'switchover': {
      if (!(await dialog(t('act_switchover'), t('confirm_switchover', { name }), true))) return;
      const r = await operation(el, t('act_switchover'), () => call<{ result: { from: string | null; pause_ms: number } }>('POST', `/api/db/${encodeURIComponent(name)}/switchover`));
      if (r) await dialog(t('act_switchover'), t('switchover_result', { name, ms: r.result.pause_ms }));
      return;
    }
    case 'remove-db': {
      const active = el.dataset.role === 'active';
      const text = `${t('confirm_remove_db', { name })}${active ? ` ${t('confirm_remove_active', { name })}` : ''}`;
      if (await dialog(t('act_remove'), text, true)) await operation(el, t('act_remove'), () => call('DELETE', `/api/db/${encodeURIComponent(name)}${active ? '?force=true' : ''}`));
      return;
    }
  }
}

async function reload(el: HTMLButtonElement): Promise<void> {
  if (!(await dialog(t('reload_haproxy'), t('confirm_reload'), true))) return;
  const r = await operation(el, t('reload_haproxy'), () => call<{ result: { reloaded: string[]; started: string[] } }>('POST', '/api/reload'));
  if (r) await dialog(t('reload_haproxy'), t('reload_result', { list: r.result.reloaded.join(', ') || t('nothing') }));
}

interface CleanResult {
  removed: { name: string; paths: string[] }[];
  skipped: { name: string }[];
}

async function clean(el: HTMLButtonElement): Promise<void> {
  const plan = await operation(el, t('clean_config'), () => call<{ result: CleanResult }>('GET', '/api/clean'));
  if (!plan) return;
  const { removed, skipped } = plan.result;
  const kept = skipped.length ? h('p', {}, `${t('clean_kept')} ${skipped.map((s) => s.name).join(', ')}`) : null;
  if (removed.length === 0) {
    await dialog(t('clean_config'), h('div', {}, h('p', {}, t('clean_nothing')), kept));
    return;
  }
  const list = h('ul', { class: 'clean-list' }, ...removed.map((l) => h('li', {}, h('strong', {}, l.name), ': ', l.paths.join(', '))));
  if (!(await dialog(t('clean_config'), h('div', {}, h('p', {}, t('clean_list')), list, kept), true))) return;
  const done = await operation(el, t('clean_config'), () => call<{ result: CleanResult }>('POST', '/api/clean'));
  if (done) await dialog(t('clean_config'), t('clean_done', { n: done.result.removed.length }));
}

async function switchMode(mode: string): Promise<void> {
  modeChanging = true;
  try {
    if (await dialog(t('session_mode'), t('confirm_mode', { mode: t(`mode_${mode}` as Key) }), true)) {
      await operation(null, t('session_mode'), () => call('POST', '/api/session-mode', { mode }));
    }
  } finally {
    modeChanging = false;
    // The switch shows what the cluster has, whatever happened.
    if (snapshot) render(await call<Snapshot>('GET', '/api/status').catch(() => snapshot!));
  }
}

void start();
