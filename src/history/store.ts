import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { badInput } from '../errors.js';
import { revealAll, type Secrets } from '../secrets/store.js';
import { readIfThereSync } from '../util/read-if-there.js';
import { makeDirs, writeFileAtomic } from '../util/atomic-write.js';
import { isObject } from '../util/json-records.js';
import type { Version } from './version.js';

export type { Version } from './version.js';

/**
 * Every apply, recorded: cluster.yaml as it was applied, every rendered
 * config (secrets replaced by their names), who asked what, the plan and
 * how it ended. One JSON file per version under .hactl/history/, written
 * atomically; the oldest beyond KEEP are pruned.
 */


export function historyDir(stateDir: string): string {
  return join(stateDir, 'history');
}

const NAME = /^(\d{6})\.json$/;
const fileOf = (stateDir: string, version: number) => join(historyDir(stateDir), `${String(version).padStart(6, '0')}.json`);

/** The recorded version numbers, oldest first. */
export function listVersions(stateDir: string): number[] {
  const dir = historyDir(stateDir);
  if (!existsSync(dir)) return [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw badInput(`${dir} cannot be read as the history's folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); move it away to start a new history`);
  }
  return names
    .flatMap((f) => {
      const m = NAME.exec(f);
      return m ? [Number(m[1])] : [];
    })
    .sort((a, b) => a - b);
}

function isVersion(v: unknown): v is Version {
  return (
    isObject(v) &&
    typeof v.version === 'number' &&
    typeof v.at === 'string' &&
    typeof v.user === 'string' &&
    typeof v.command === 'string' &&
    (v.result === 'applied' || v.result === 'failed') &&
    Array.isArray(v.plan) &&
    typeof v.cluster_yaml === 'string' &&
    isObject(v.files) &&
    Object.values(v.files).every((c) => typeof c === 'string')
  );
}

/** Version N as recorded; exit 2 when it does not exist, was pruned, or its file is not what hactl wrote. */
export function readVersion(stateDir: string, version: number): Version {
  const versions = listVersions(stateDir);
  if (!versions.includes(version)) {
    const range = versions.length === 0 ? 'there is no history yet (every up, reload or live change records one)' : `the history holds ${versions[0]} to ${versions.at(-1)}`;
    const pruned = versions.length > 0 && version < versions[0]! && version > 0 ? `; version ${version} was pruned (history.keep in cluster.yaml: how many are kept)` : '';
    throw badInput(`there is no version ${version}: ${range}${pruned}`);
  }
  const file = fileOf(stateDir, version);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw badInput(`${file} cannot be read as a version of the history (${(err as Error).message}); it was changed by hand or damaged, so nothing is done with it`);
  }
  if (!isVersion(parsed) || parsed.version !== version) {
    throw badInput(`${file} is not a version hactl recorded (a field is missing or wrong); it was changed by hand, so nothing is done with it`);
  }
  return parsed;
}

/** Record ENTRY as the next version (0600, folder 0700) and prune the oldest beyond KEEP (history.keep): its number. */
export function recordVersion(stateDir: string, entry: Omit<Version, 'version'>, keep: number): number {
  const dir = historyDir(stateDir);
  makeDirs(dir, 0o700);
  const versions = listVersions(stateDir);
  const version = (versions.at(-1) ?? 0) + 1;
  writeFileAtomic(fileOf(stateDir, version), `${JSON.stringify({ version, ...entry }, null, 2)}\n`, 0o600);
  for (const old of [...versions, version].slice(0, Math.max(0, versions.length + 1 - keep))) rmSync(fileOf(stateDir, old), { force: true });
  return version;
}

/** The last version that was applied: what runs, as far as hactl knows; undefined before the first. */
export function runningVersion(stateDir: string): number | undefined {
  const versions = listVersions(stateDir);
  for (let i = versions.length - 1; i >= 0; i--) {
    try {
      if (readVersion(stateDir, versions[i]!).result === 'applied') return versions[i];
    } catch {
      // A damaged version says nothing of what runs; an older one may.
    }
  }
  return undefined;
}

/** CONTENT with every secret's value replaced by its name, so that history never holds one. */
export function redact(content: string, secrets: Readonly<Record<string, string>>): string {
  let out = content;
  // Longest first: a secret that contains another is replaced whole.
  for (const [name, value] of Object.entries(secrets).sort(([, a], [, b]) => b.length - a.length)) {
    if (value !== '') out = out.replaceAll(value, `<secret:${name}>`);
  }
  return out;
}

/**
 * Each of PATHS under CONFIG_DIR as it is on disk (hand edits included),
 * secrets redacted as history records them; undefined where it is gone.
 */
export function renderedOnDisk(configDir: string, paths: readonly string[], secrets: Secrets): Record<string, string | undefined> {
  const values = revealAll(secrets);
  return Object.fromEntries(
    paths.map((path) => {
      const content = readIfThereSync(join(configDir, path));
      return [path, content === undefined ? undefined : redact(content, values)];
    }),
  );
}
