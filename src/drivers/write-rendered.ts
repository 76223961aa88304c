import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HactlError } from '../errors.js';
import { checkApacheConfig, checkHaproxyConfig, type ConfigCheck } from '../render/check.js';
import type { RenderedFile } from '../render/index.js';
import type { Runner } from '../util/runner.js';
import { writeAllOrNothing } from '../util/write-all.js';

export interface WriteResult {
  written: string[];
  /** undefined when haproxy is not installed and nothing could be checked. */
  checks: ConfigCheck[] | undefined;
}

/**
 * Write rendered files into OUT only once every HAProxy config among them
 * has passed `haproxy -c` as staged, and every Apache config `apache2 -t`; all of them or none. A failed check,
 * or anything in OUT's way, leaves OUT exactly as it was. With onlyChanged,
 * the files OUT already holds as rendered are left alone.
 */
export async function writeRendered(out: string, all: RenderedFile[], runner: Runner, options: { onlyChanged?: boolean } = {}): Promise<WriteResult> {
  // A file already on disk as rendered passed its check when it was written: a no-op up
  // writes and checks nothing (two haproxy -c were a fifth of it).
  const files = options.onlyChanged ? changedFiles(out, all) : all;
  if (files.length === 0) return { written: [], checks: [] };
  let checks: ConfigCheck[] | undefined;
  const written = await writeAllOrNothing(out, files, async (staging) => {
    checks = await checkAll(staging, files, runner);
    const failed = (checks ?? []).filter((c) => !c.ok);
    if (failed.length > 0) {
      throw new HactlError(
        `${failed.map((c) => `${CHECKER[files.find((f) => f.path === c.file)!.kind]} rejected ${c.file}`).join(', ')}; nothing was written to ${out}`,
        1,
        // One line each, as haproxy printed them: a detail is a line of the error's output.
        failed.flatMap((c) => c.output.split('\n').map((line) => `${c.file}: ${line}`)),
      );
    }
  });
  return { written, checks };
}

const CHECKER: Partial<Record<RenderedFile['kind'], string>> = { haproxy: 'haproxy -c', apache: 'apache2 -t' };

/** undefined when haproxy is not installed. The configs are checked side by side: each check is a process of its own. */
async function checkAll(staging: string, files: RenderedFile[], runner: Runner): Promise<ConfigCheck[] | undefined> {
  const checks = await Promise.all(
    files.filter((f) => f.kind === 'haproxy' || f.kind === 'apache').map(async (f) => {
      const staged = join(staging, f.path);
      const check = await (f.kind === 'haproxy' ? checkHaproxyConfig : checkApacheConfig)(runner, staged);
      // The staging folder is gone by the time anyone reads this: name the file as rendered.
      return check && { ...check, file: f.path, output: check.output.replaceAll(staged, f.path) };
    }),
  );
  return checks.every((c) => c !== undefined) ? (checks as ConfigCheck[]) : undefined;
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
