import { h } from './dom.js';
import { language, t } from './i18n.js';
import type { VersionSummary } from '../../history/version.js';

/**
 * The History panel's pieces: the versions, a version's diff, a rollback's
 * plan, the drift warning.
 */

/** GET /api/history/N/diff: FROM is null for the oldest version kept, which has nothing before it. */
export interface DiffAnswer {
  from: string | null;
  to: string;
  files: { path: string; diff: string }[];
}

/** One step of GET /api/rollback's plan, in the CLI's words. */
export interface PlanStep {
  on: string;
  what: string;
  why: string;
}

/**
 * The snapshot's history field. An older dashboard sends none, and
 * files_changed came after the field itself: neither may be counted on.
 */
export interface Drift {
  running_version: number;
  cluster_yaml_changed: boolean;
  files_changed?: string[];
}

/** A diff is of what a version changed (against the one before it), or of the version against cluster.yaml now, or against the files on disk (hand edits included). */
export type Against = 'before' | 'now' | 'disk';

function resultCell(v: VersionSummary): HTMLTableCellElement {
  if (v.result === 'applied') return h('td', { class: 'result' }, h('span', { class: 'badge ok' }, t('result_applied')));
  const label = v.result === 'failed' ? t('result_failed') : t('result_damaged');
  return h('td', { class: 'result' }, h('span', { class: 'badge bad', title: v.error }, label), v.error ? h('small', { class: 'error' }, v.error) : null);
}

function versionRow(v: VersionSummary, selected: number | undefined): HTMLTableRowElement {
  const classes = [v.running ? 'running' : '', v.version === selected ? 'selected' : ''].filter(Boolean).join(' ');
  return h(
    'tr',
    { 'data-version': String(v.version), class: classes || undefined },
    h('td', { class: 'version' }, h('strong', {}, v.version), v.running ? h('span', { class: 'badge ok' }, t('running')) : null),
    h('td', { title: v.at }, v.at === '' ? '' : new Date(v.at).toLocaleString(language())),
    h('td', {}, v.user),
    h('td', { class: 'mono' }, v.command),
    resultCell(v),
    h('td', {}, v.steps),
    h(
      'td',
      { class: 'actions' },
      h(
        'div',
        {},
        h('button', { type: 'button', class: 'small', 'data-action': 'diff-before', 'data-version': String(v.version) }, t('act_changes')),
        // Rolling back to what runs would only record a version more.
        v.result === 'applied' && !v.running ? h('button', { type: 'button', class: 'small', 'data-action': 'rollback', 'data-version': String(v.version) }, t('act_rollback')) : null,
      ),
    ),
  );
}

/** The versions, newest first; SELECTED is the one whose diff is shown. */
export function versionRows(rows: readonly VersionSummary[], selected: number | undefined): HTMLTableRowElement[] {
  return [...rows].reverse().map((v) => versionRow(v, selected));
}

/** A unified diff's line, by what it is: added, removed, a hunk's head, a file's head, or context. */
function lineClass(line: string): string | undefined {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('\\')) return 'head';
  if (line.startsWith('+')) return 'add';
  if (line.startsWith('-')) return 'del';
  if (line.startsWith('@@')) return 'hunk';
  return undefined;
}

/** A file's diff longer than this starts folded (a new node's whole config): its counts say what is in it. */
const FOLDED_LINES = 60;

function fileDiff(path: string, diff: string): HTMLDetailsElement {
  const lines = diff.replace(/\n$/, '').split('\n');
  const count = (cls: string) => lines.filter((l) => lineClass(l) === cls).length;
  return h(
    'details',
    { class: 'file-diff', open: lines.length <= FOLDED_LINES, 'data-path': path },
    h('summary', {}, h('code', {}, path), ' ', h('span', { class: 'add' }, `+${count('add')}`), ' ', h('span', { class: 'del' }, `−${count('del')}`)),
    // The lines' box is as wide as the longest, so a line's colour goes on under a horizontal scroll.
    h('pre', { class: 'diff' }, h('span', { class: 'lines' }, ...lines.map((l) => h('span', { class: lineClass(l) }, l)))),
  );
}

function diffTitle(version: number, against: Against, answer: DiffAnswer): string {
  if (against === 'now') return t('diff_now', { n: version });
  if (against === 'disk') return t('diff_disk', { n: version });
  return answer.from === null ? t('diff_oldest', { n: version }) : t('diff_changed', { n: version, from: answer.from });
}

/** A version's diff, a file at a time; files without a change are left out. */
export function diffView(version: number, against: Against, answer: DiffAnswer): HTMLElement {
  const changed = answer.files.filter((f) => f.diff !== '');
  const other: Against = against === 'now' ? 'before' : 'now';
  // The oldest version's title already says there is nothing to compare.
  const compared = against !== 'before' || answer.from !== null;
  return h(
    'div',
    { 'data-version': String(version), 'data-against': against },
    h(
      'div',
      { class: 'diff-head' },
      h('h3', {}, diffTitle(version, against, answer)),
      h(
        'div',
        { class: 'buttons' },
        h('button', { type: 'button', class: 'small', 'data-action': `diff-${other}`, 'data-version': String(version) }, t(other === 'now' ? 'diff_compare_now' : 'diff_compare_before')),
        h('button', { type: 'button', class: 'small', 'data-action': 'diff-close' }, t('close')),
      ),
    ),
    compared && changed.length === 0 ? h('p', { class: 'hint' }, t('diff_none')) : null,
    ...changed.map((f) => fileDiff(f.path, f.diff)),
  );
}

/** What a rollback would run, for its confirmation; an empty plan says so. */
export function planBody(version: number, steps: readonly PlanStep[]): HTMLElement {
  if (steps.length === 0) return h('div', {}, h('p', {}, t('rollback_nothing', { n: version })));
  return h(
    'div',
    {},
    h('p', {}, t('rollback_plan', { n: version })),
    h(
      'table',
      { class: 'plan' },
      h('thead', {}, h('tr', {}, h('th', {}, t('plan_on')), h('th', {}, t('plan_action')), h('th', {}, t('plan_why')))),
      h('tbody', {}, ...steps.map((s) => h('tr', {}, h('td', {}, s.on), h('td', { class: 'mono' }, s.what), h('td', {}, s.why)))),
    ),
  );
}

/** What the drift banner's button shows: the files as they are on disk when one was changed there, else cluster.yaml now. */
export function driftAgainst(drift: Drift): Against {
  return (drift.files_changed ?? []).length > 0 ? 'disk' : 'now';
}

/** The warning lines when what runs is no longer what cluster.yaml or the files on disk say; none when they agree. */
export function driftLines(drift: Drift | null): string[] {
  if (!drift) return [];
  const files = drift.files_changed ?? [];
  return [
    drift.cluster_yaml_changed ? t('drift_yaml', { n: drift.running_version }) : null,
    files.length > 0 ? t('drift_files', { n: drift.running_version, list: files.join(', ') }) : null,
  ].filter((l): l is string => l !== null);
}
