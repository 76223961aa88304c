import { badInput } from '../errors.js';
import type { Progress } from '../util/progress.js';
import type { Project } from '../ops/project.js';
import type { Actor } from '../ops/record.js';
import { SESSION_MODES, type NodeState, type Runtime, type SessionMode } from '../spec/model.js';
import type { Runner } from '../util/runner.js';
import { wholeNumber } from '../util/whole-number.js';

/**
 * What the dashboard can do: each entry is one route calling one function
 * of src/ops, the same one the CLI command of that name calls. Only the
 * reading of the request is the dashboard's own.
 */

export interface OperationRequest {
  params: Record<string, string>;
  query: Record<string, string>;
  /** A JSON object: the app refuses any other body before an operation runs. */
  body: Record<string, unknown>;
  /** The logged-in user and the action, recorded with each apply in the history. */
  actor: Actor;
}

export interface Operation {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** Shown in the page's activity list: "add web web3". */
  label(params: Record<string, string>, body: Record<string, unknown>): string;
  /** Changes the cluster: announced to every page, and the state read again after it. */
  changes: boolean;
  run(req: OperationRequest, progress: Progress): Promise<unknown>;
}

interface Deps {
  project: Project;
  runtime: Runtime | undefined;
  runner: Runner;
}

/** The body's fields, each checked for its type; a field the form does not have is refused by name. */
function fields(body: Record<string, unknown>, allowed: readonly string[]): Record<string, unknown> {
  for (const key of Object.keys(body)) if (!allowed.includes(key)) throw badInput(`${key}: not a field of this form (it has ${allowed.join(', ')})`);
  return body;
}

/** A text field: a string or absent (an empty one is absent too: the form's empty field); nothing else is turned into one. */
function text(f: Record<string, unknown>, key: string, required = false): string | undefined {
  const v = f[key];
  if (v === undefined || v === '') {
    if (required) throw badInput(`${key}: required`);
    return undefined;
  }
  if (typeof v !== 'string') throw badInput(`${key}: ${JSON.stringify(v)} is not text`);
  return v;
}

/** A number field: a JSON number or absent; "8000" or [8000] is refused, not read as 8000. */
function number(f: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const v = f[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number') throw badInput(`${key}: ${JSON.stringify(v)} is not a number`);
  if (!Number.isInteger(v) || v < min || v > max) throw badInput(`${key}: ${v} is not a whole number from ${min} to ${max}`);
  return v;
}

/** A query parameter is text by nature: read as the CLI reads the same option. */
function queryNumber(query: Record<string, string>, key: string, min: number, max: number): number | undefined {
  const v = query[key];
  return v === undefined ? undefined : wholeNumber(key, v, min, max);
}

function queryFlag(query: Record<string, string>, key: string): boolean {
  const v = query[key];
  if (v === undefined || v === 'false') return false;
  if (v === 'true') return true;
  throw badInput(`${key}: ${JSON.stringify(v)} is not true or false`);
}

/** A version of the history, as the CLI takes it (at most nine digits): hactl history lists them. */
const MAX_VERSION = 999_999_999;

/** The version a rollback names: a number, in the query for its dry run (a GET), in the body for the real one. */
function rollbackVersion(req: OperationRequest, dryRun: boolean): number {
  const version = dryRun ? queryNumber(req.query, 'version', 1, MAX_VERSION) : number(fields(req.body, ['version']), 'version', 1, MAX_VERSION);
  if (version === undefined) throw badInput('version: required');
  return version;
}

/**
 * What VERSION changed: the diff from the version before it that history
 * still holds. The oldest one kept has nothing before it (diffVersions has
 * no empty side): its answer says so with FROM null and no file.
 */
async function changedBy({ project, runtime, runner }: Deps, version: number) {
  const [{ diffVersions }, { listVersions, readVersion }] = await Promise.all([import('../ops/history.js'), import('../history/store.js')]);
  const before = listVersions(project.stateDir)
    .filter((n) => n < version)
    .at(-1);
  if (before !== undefined) return diffVersions(project, before, version, { runtime }, runner);
  // Refused as diff refuses it when it is not there at all.
  readVersion(project.stateDir, version);
  return { from: null, to: `version ${version}`, files: [] };
}

/** The node name a form names, for the activity list only (it is validated where it is used). */
function nameIn(body: Record<string, unknown>): string {
  const name = body.name;
  return typeof name === 'string' ? name : '';
}

export function operations(deps: Deps): Operation[] {
  const { project, runtime, runner } = deps;
  const optsOf = (req: OperationRequest) => ({ runtime, actor: req.actor });
  const name = (p: Record<string, string>) => p.name ?? '';
  return [
    {
      method: 'POST',
      path: '/api/web',
      label: (_p, body) => `add web ${nameIn(body)}`,
      changes: true,
      async run(req, progress) {
        const { body } = req;
        const f = fields(body, ['name', 'host', 'port', 'cookie', 'weight']);
        const node = { name: text(f, 'name', true)!, host: text(f, 'host'), port: number(f, 'port', 1, 65535), cookie: text(f, 'cookie'), weight: number(f, 'weight', 0, 256) };
        const { addWeb } = await import('../ops/web-ops.js');
        return addWeb(project, node, optsOf(req), runner, progress);
      },
    },
    {
      method: 'POST',
      path: '/api/db',
      label: (_p, body) => `add db ${nameIn(body)}`,
      changes: true,
      async run(req, progress) {
        const { body } = req;
        const f = fields(body, ['name', 'host', 'port']);
        const node = { name: text(f, 'name', true)!, host: text(f, 'host'), port: number(f, 'port', 1, 65535) };
        const { addDb } = await import('../ops/db-ops.js');
        return addDb(project, node, optsOf(req), runner, progress);
      },
    },
    {
      method: 'DELETE',
      path: '/api/web/:name',
      label: (p) => `remove ${name(p)}`,
      changes: true,
      async run(req, progress) {
        const { params, query } = req;
        const timeoutS = queryNumber(query, 'timeout', 0, 86400) ?? 30;
        const { removeWeb } = await import('../ops/web-ops.js');
        return removeWeb(project, name(params), { ...optsOf(req), timeoutS }, runner, progress);
      },
    },
    {
      method: 'DELETE',
      path: '/api/db/:name',
      label: (p) => `remove ${name(p)}`,
      changes: true,
      async run(req, progress) {
        const { params, query } = req;
        const { removeDb } = await import('../ops/db-ops.js');
        return removeDb(project, name(params), { ...optsOf(req), force: queryFlag(query, 'force') }, runner, progress);
      },
    },
    {
      method: 'POST',
      path: '/api/db/:name/switchover',
      label: (p) => `switchover ${name(p)}`,
      changes: true,
      async run(req, progress) {
        const { params } = req;
        const { switchover } = await import('../ops/db-ops.js');
        return switchover(project, name(params), optsOf(req), runner, progress);
      },
    },
    {
      method: 'POST',
      path: '/api/web/:name/state',
      label: (p) => `set ${name(p)}`,
      changes: true,
      async run(req, progress) {
        const { params, body } = req;
        const f = fields(body, ['state']);
        const state = text(f, 'state', true)!;
        const states: NodeState[] = ['ready', 'drain', 'maint'];
        if (!(states as string[]).includes(state)) throw badInput(`state: ${JSON.stringify(state)} is not one of ${states.join(', ')}`);
        const { setWeb } = await import('../ops/web-ops.js');
        return setWeb(project, name(params), { state: state as NodeState }, optsOf(req), runner, progress);
      },
    },
    {
      method: 'POST',
      path: '/api/session-mode',
      label: () => 'session mode',
      changes: true,
      async run(req, progress) {
        const { body } = req;
        const mode = text(fields(body, ['mode']), 'mode', true)!;
        if (!(SESSION_MODES as readonly string[]).includes(mode)) throw badInput(`mode: ${JSON.stringify(mode)} is not one of ${SESSION_MODES.join(', ')}`);
        const { switchSessionMode } = await import('../ops/web-ops.js');
        return switchSessionMode(project, mode as SessionMode, optsOf(req), runner, progress);
      },
    },
    ...(['restart', 'stop', 'start'] as const).map(
      (verb): Operation => ({
        method: 'POST',
        path: `/api/nodes/:name/${verb}`,
        label: (p) => `${verb} ${name(p)}`,
        changes: true,
        async run(req, progress) {
        const { params } = req;
          const ops = await import('../ops/node-ops.js');
          const fn = { restart: ops.restartNode, stop: ops.stopNode, start: ops.startNode }[verb];
          return fn(project, name(params), optsOf(req), runner, progress);
        },
      }),
    ),
    {
      method: 'POST',
      path: '/api/nodes/:name/test',
      label: (p) => `test ${name(p)}`,
      changes: false,
      async run({ params }) {
        const { probeNode } = await import('../ops/probe.js');
        return probeNode(project, name(params), { runtime }, runner);
      },
    },
    {
      method: 'GET',
      path: '/api/nodes/:name/logs',
      label: (p) => `logs ${name(p)}`,
      changes: false,
      async run({ params, query }) {
        const lines = queryNumber(query, 'lines', 1, 5000) ?? 200;
        const { nodeLog } = await import('../ops/node-ops.js');
        let out = '';
        await nodeLog(project, name(params), { runtime, lines, follow: false }, runner, (chunk) => (out += chunk));
        return out;
      },
    },
    {
      method: 'POST',
      path: '/api/reload',
      label: () => 'reload HAProxy',
      changes: true,
      async run(req, progress) {
        const { reloadBalancers } = await import('../ops/reload.js');
        return reloadBalancers(project, optsOf(req), runner, progress);
      },
    },
    {
      method: 'GET',
      path: '/api/history',
      label: () => 'history',
      changes: false,
      async run() {
        const { listHistory } = await import('../ops/history.js');
        return listHistory(project);
      },
    },
    {
      method: 'GET',
      path: '/api/history/:version/diff',
      label: (p) => `diff ${p.version ?? ''}`,
      changes: false,
      async run({ params, query }) {
        const version = wholeNumber('version', params.version ?? '', 1, MAX_VERSION);
        const against = query.against;
        if (against !== undefined && against !== 'now' && against !== 'disk') throw badInput(`against: ${JSON.stringify(against)} is not now or disk (or absent: the version before)`);
        if (against === undefined) return changedBy(deps, version);
        const { diffVersions } = await import('../ops/history.js');
        return diffVersions(project, version, against, { runtime }, runner);
      },
    },
    // GET shows the plan (the page asks with it), POST carries it out.
    ...[true, false].map(
      (dryRun): Operation => ({
        method: dryRun ? 'GET' : 'POST',
        path: '/api/rollback',
        label: (_p, body) => (dryRun ? 'rollback (dry run)' : `rollback to version ${JSON.stringify(body.version) ?? ''}`),
        changes: !dryRun,
        async run(req, progress) {
          const version = rollbackVersion(req, dryRun);
          const [{ rollback }, { describeAction }] = await Promise.all([import('../ops/history.js'), import('../plan/action.js')]);
          const r = await rollback(project, version, { ...optsOf(req), dryRun }, runner, progress);
          // The page cannot load describeAction: each step in the CLI's words (on, action, why) beside the actions.
          return 'dry_run' in r ? { ...r, steps: r.actions.map((a) => ({ ...describeAction(a), why: a.reason })) } : r;
        },
      }),
    ),
    // GET lists what would go (the page shows it before asking), POST removes it.
    ...[true, false].map(
      (dryRun): Operation => ({
        method: dryRun ? 'GET' : 'POST',
        path: '/api/clean',
        label: () => (dryRun ? 'clean (dry run)' : 'clean'),
        changes: !dryRun,
        async run(req, progress) {
          const { clean } = await import('../ops/clean.js');
          return clean(project, { ...optsOf(req), dryRun }, runner, progress);
        },
      }),
    ),
  ];
}
