import { createTwoFilesPatch } from 'diff';
import { listVersions, readVersion, redact, renderedOnDisk, runningVersion } from '../history/store.js';
import type { Version, VersionSummary } from '../history/version.js';
import { messageOf } from './record.js';
import { badInput } from '../errors.js';
import { loadOrCreateSecrets, revealAll } from '../secrets/store.js';
import { loadClusterFile } from '../spec/load.js';
import { readClusterFile } from '../spec/read.js';
import type { Runner } from '../util/runner.js';
import { openContext, type OpOptions } from './context.js';
import type { Project } from './project.js';
import { renderFor } from './render.js';
import type { Progress } from '../drivers/driver.js';
import { planRollback } from '../plan/changes.js';
import { changeCluster, type DryRun } from './change.js';
import type { Executed } from './execute.js';
import { planChange, planThenCarryOut, type UpSummary } from './up.js';


export function listHistory(project: Project): VersionSummary[] {
  const running = runningVersion(project.stateDir);
  return listVersions(project.stateDir).map((n): VersionSummary => {
    let v: Version;
    try {
      v = readVersion(project.stateDir, n);
    } catch (err) {
      return { version: n, at: '', user: '', command: '', result: 'damaged', error: messageOf(err), steps: 0, running: false };
    }
    return { version: v.version, at: v.at, user: v.user, command: v.command, result: v.result, ...(v.error ? { error: v.error } : {}), steps: v.plan.length, running: n === running };
  });
}

/** What one side of a diff holds: cluster.yaml and each rendered config. */
interface Side {
  label: string;
  files: Record<string, string>;
}

/** cluster.yaml as it is now, rendered as up would (secrets redacted, certificates left out). */
async function current(project: Project, options: OpOptions, runner: Runner): Promise<Side> {
  const ctx = await openContext(project, { ...options, dryRun: true }, runner, () => undefined);
  const secrets = loadOrCreateSecrets(project.stateDir);
  const values = revealAll(secrets);
  const files = renderFor(ctx, loadClusterFile(project.file).cluster, secrets).filter((f) => f.kind !== 'cert');
  return { label: 'cluster.yaml now', files: { 'cluster.yaml': redact(readClusterFile(project.file), values), ...Object.fromEntries(files.map((f) => [f.path, redact(f.content, values)])) } };
}

/** cluster.yaml and the rendered files that VERSION wrote, as they are on disk now. */
async function onDisk(project: Project, version: Version, options: OpOptions, runner: Runner): Promise<Side> {
  const ctx = await openContext(project, { ...options, dryRun: true }, runner, () => undefined);
  const secrets = loadOrCreateSecrets(project.stateDir);
  const files = Object.entries(renderedOnDisk(ctx.driver.configDir, Object.keys(version.files), secrets)).flatMap(([path, content]) => (content === undefined ? [] : [[path, content]]));
  return { label: 'on disk', files: { 'cluster.yaml': redact(readClusterFile(project.file), revealAll(secrets)), ...Object.fromEntries(files) } };
}

function recorded(project: Project, version: number): Side {
  const v = readVersion(project.stateDir, version);
  return { label: `version ${version}`, files: { 'cluster.yaml': v.cluster_yaml, ...v.files } };
}

export interface FileDiff {
  path: string;
  /** A unified diff (3 lines of context), or '' when the file is the same on both sides. */
  diff: string;
}

/**
 * hactl diff [A] [B]: cluster.yaml and every rendered config of version A
 * against B, as unified diffs. A defaults to the running version (the last
 * applied); B is another version, 'now' (the default: cluster.yaml as up
 * would render it, what up would change) or 'disk' (the files as they are
 * on disk, hand edits included).
 */
export async function diffVersions(project: Project, a: number | undefined, b: number | 'now' | 'disk', options: OpOptions, runner: Runner): Promise<{ from: string; to: string; files: FileDiff[] }> {
  const from = a ?? runningVersion(project.stateDir);
  if (from === undefined) throw badInput('there is no applied version to compare with yet: the first up records one');
  const left = recorded(project, from);
  const right = b === 'now' ? await current(project, options, runner) : b === 'disk' ? await onDisk(project, readVersion(project.stateDir, from), options, runner) : recorded(project, b);
  const paths = [...new Set([...Object.keys(left.files), ...Object.keys(right.files)])].sort((x, y) => (x === 'cluster.yaml' ? -1 : y === 'cluster.yaml' ? 1 : x.localeCompare(y)));
  return {
    from: left.label,
    to: right.label,
    files: paths.map((path) => {
      const [old, now] = [left.files[path], right.files[path]];
      const diff = old === now ? '' : createTwoFilesPatch(`${left.label}/${path}`, `${right.label}/${path}`, old ?? '', now ?? '', undefined, undefined, { context: 3 });
      return { path, diff: diff.split('\n').slice(1).join('\n') };
    }),
  };
}

/** The version before the running one that was applied: what rollback goes back to by default. */
function previousApplied(project: Project): number {
  const running = runningVersion(project.stateDir);
  const before = listVersions(project.stateDir).filter((n) => running !== undefined && n < running).reverse();
  for (const n of before) if (readVersion(project.stateDir, n).result === 'applied') return n;
  throw badInput(running === undefined ? 'there is no applied version yet: nothing to roll back to' : `version ${running} runs, and no version before it was applied: nothing to roll back to`);
}

/**
 * hactl rollback [N]: cluster.yaml of version N (by default the applied
 * one before the running one) through the normal plan and apply, hitless
 * (planRollback: nodes that leave are drained first), recorded as a new
 * version. With DRY_RUN, the plan only.
 */
export async function rollback(project: Project, version: number | undefined, options: OpOptions & { timeoutS?: number | undefined }, runner: Runner, progress: Progress): Promise<((UpSummary & Executed) | DryRun) & { version: number }> {
  const target = version ?? previousApplied(project);
  const text = readVersion(project.stateDir, target).cluster_yaml;
  const r = await changeCluster(project, options, runner, progress, (src) => src.replaceAll(text), async (ctx, change) =>
    planThenCarryOut(ctx, change, await planChange(ctx, change, (desired, observed) => planRollback(change.previous, desired, observed, options.timeoutS ?? 30)), options.dryRun),
  );
  return { ...r, version: target };
}
