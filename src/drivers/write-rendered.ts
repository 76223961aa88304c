import { copyFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HactlError } from '../errors.js';
import { checkApacheConfig, checkHaproxyConfig, type ConfigCheck } from '../render/check.js';
import type { RenderedFile } from '../render/index.js';
import type { Runner } from '../util/runner.js';
import { makeDirs } from '../util/atomic-write.js';
import { failpointSet } from '../util/failpoint.js';
import { writeAllOrNothing } from '../util/write-all.js';

export interface WriteResult {
  written: string[];
  /** undefined when haproxy or apache2 is not installed and not everything could be checked. */
  checks: ConfigCheck[] | undefined;
}

/**
 * Write rendered files into OUT only once every HAProxy and Apache config
 * among them has passed `haproxy -c` or `apache2 -t` as staged; all of them or none. A failed check,
 * or anything in OUT's way, leaves OUT exactly as it was. With onlyChanged,
 * the files OUT already holds as rendered are left alone.
 */
export async function writeRendered(out: string, all: RenderedFile[], runner: Runner, options: { onlyChanged?: boolean } = {}): Promise<WriteResult> {
  // A file already on disk as rendered passed its check when it was written: a no-op up
  // writes and checks nothing (two haproxy -c were a fifth of it).
  const files = options.onlyChanged ? changedFiles(out, all) : all;
  if (files.length === 0) return { written: [], checks: [] };
  let checks: (Checked | undefined)[] = [];
  const written = await writeAllOrNothing(out, files, async (staging) => {
    stageSiblings(out, staging, files);
    checks = await checkAll(staging, files, runner);
    // A checker that is missing does not excuse what another one found.
    const failed = checks.filter((c) => c !== undefined && !c.ok) as Checked[];
    if (failed.length > 0) {
      throw new HactlError(
        `${failed.map((c) => `${CHECKERS[c.kind].name} rejected ${c.file}`).join(', ')}; nothing was written to ${out}`,
        1,
        // One line each, as the checker printed them: a detail is a line of the error's output.
        failed.flatMap((c) => c.output.split('\n').map((line) => `${c.file}: ${line}`)),
      );
    }
  });
  return { written, checks: checks.every((c) => c !== undefined) ? checks.map(({ kind: _, ...check }) => check) : undefined };
}

/**
 * A config reads the files beside it (lb-web's certificate): those not
 * written anew are checked as they are in OUT, which is what it will read.
 */
function stageSiblings(out: string, staging: string, files: readonly RenderedFile[]): void {
  const staged = new Set(files.map((f) => f.path));
  const dirs = new Set(files.filter((f) => f.kind in CHECKERS).map((f) => dirname(f.path)));
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(join(out, dir));
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
      const from = join(out, path);
      if (staged.has(path) || name.startsWith('.') || !statSync(from).isFile()) continue;
      copyFileSync(from, join(staging, path));
    }
  }
}

/** The configs that have a checker, and how each is checked. */
const CHECKERS = {
  haproxy: { name: 'haproxy -c', check: checkHaproxyConfig },
  apache: { name: 'apache2 -t', check: checkApacheConfig },
} as const;

type Checked = ConfigCheck & { kind: keyof typeof CHECKERS };

/** One check per config that has a checker, undefined where it is not installed. Side by side: each check is a process of its own. */
async function checkAll(staging: string, files: RenderedFile[], runner: Runner): Promise<(Checked | undefined)[]> {
  const checks = await Promise.all(
    files.map(async (f) => {
      if (f.kind !== 'haproxy' && f.kind !== 'apache') return null;
      // Apache refuses a config whose runtime folder is missing, even to check it.
      for (const dir of f.runtimeDirs ?? []) makeDirs(dir);
      const staged = join(staging, f.path);
      const check = failpointSet('check') ? { ok: false, output: 'rejected (injected by HACTL_FAILPOINT)' } : await CHECKERS[f.kind].check(runner, staged);
      // The staging folder is gone by the time anyone reads this: name the file as rendered.
      return check && { ...check, kind: f.kind, file: f.path, output: check.output.replaceAll(staged, f.path) };
    }),
  );
  return checks.filter((c) => c !== null);
}

/** Of FILES, those OUT does not hold as rendered: what a write with onlyChanged writes. */
export function changedFiles(out: string, files: readonly RenderedFile[]): RenderedFile[] {
  return files.filter((f) => !onDisk(join(out, f.path), f));
}

/** PATH holds FILE as rendered: its content, mode and (when hactl may give it away) owner. */
function onDisk(path: string, file: RenderedFile): boolean {
  try {
    const stat = statSync(path);
    const owned = !file.owner || process.getuid?.() !== 0 || (stat.uid === file.owner.uid && stat.gid === file.owner.gid);
    return stat.isFile() && (stat.mode & 0o777) === file.mode && owned && readFileSync(path, 'utf8') === file.content;
  } catch {
    return false;
  }
}
