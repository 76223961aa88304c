import { accessSync, constants, copyFileSync, existsSync, linkSync, mkdtempSync, readdirSync, renameSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { HactlError, badInput } from '../errors.js';
import { failpoint } from './failpoint.js';
import { makeDirs, writeFileAtomic, type Owner } from './atomic-write.js';
import { kernelFilesystem, nearestExisting } from './kernel-fs.js';
import { procStat } from './proc-stat.js';
import { cleanupOnSignal } from './signal-cleanup.js';

export interface FileToWrite {
  /** Relative to the output folder. */
  path: string;
  content: string;
  mode: number;
  owner?: Owner | undefined;
}

/**
 * Write FILES into OUT all or nothing. They are staged first in a private
 * folder inside OUT (same filesystem, so moving them in is a rename) and
 * handed to VERIFY; only if it returns are they moved into place, each
 * replacing its old version atomically. Anything in the way is found
 * before a byte is written, and a failure while moving puts the old files
 * back. The staging folder never outlives the call, not even a Ctrl-C.
 * Returns the paths written.
 */
export async function writeAllOrNothing(out: string, files: readonly FileToWrite[], verify: (staged: string) => Promise<void>): Promise<string[]> {
  out = resolve(out);
  refuseUnusableTarget(out);
  refuseObstacles(out, files);
  const created = asInputError(out, () => makeDirs(out));
  let staging: string | undefined;
  const removeOurs = () => {
    if (staging) rmSync(staging, { recursive: true, force: true });
    // Deepest first; a folder someone else has put something in meanwhile stays.
    for (const dir of [...created].reverse()) rmdirQuietly(dir);
  };
  const guard = cleanupOnSignal(removeOurs);
  let ok = false;
  try {
    removeStaleStaging(out);
    staging = asInputError(out, () => mkdtempSync(join(out, `${STAGING_PREFIX}${process.pid}-`)));
    for (const f of files) writeFileAtomic(join(staging, f.path), f.content, f.mode, f.owner);
    await verify(staging);
    if (guard.interrupted) throw new HactlError(`interrupted by ${guard.interrupted}: nothing was written to ${out}`);
    const written = moveIntoPlace(staging, out, files, created);
    ok = true;
    return written;
  } finally {
    guard.dispose();
    if (ok) {
      if (staging) rmSync(staging, { recursive: true, force: true });
    } else {
      removeOurs();
    }
  }
}

const STAGING_PREFIX = '.hactl-staging-';
const STAGING_NAME = new RegExp(`^${STAGING_PREFIX.replaceAll('.', '\\.')}(\\d+)-`);

/**
 * OUT as a whole: refused when it cannot be a folder of files at all, so a
 * caller may ask before it makes anything for the files (secrets, say).
 */
export function refuseUnusableTarget(out: string): void {
  out = resolve(out);
  const kernel = kernelFilesystem(out);
  if (kernel !== undefined) throw badInput(`refusing to write into ${out}: it is on a kernel filesystem (${kernel}), not a folder for files`);
  const base = nearestExisting(out);
  if (!statSync(base).isDirectory()) {
    throw badInput(base === out ? `${out} is a file, not a folder` : `${base} is a file, not a folder: ${out} cannot be made under it`);
  }
  refuseUnwritable(base);
}

/** Everything in OUT that would make a write fail halfway, found while nothing is written yet. */
function refuseObstacles(out: string, files: readonly FileToWrite[]): void {
  const problems = new Set<string>();
  for (const f of files) {
    const target = join(out, f.path);
    const existing = nearestExisting(target);
    const stat = statSync(existing);
    if (existing === target) {
      if (!stat.isFile()) problems.add(`${target} is in the way: it is not a regular file`);
    } else if (!stat.isDirectory()) {
      problems.add(`${existing} is in the way: a folder is needed there for ${target}`);
    }
    try {
      refuseUnwritable(stat.isDirectory() ? existing : dirname(existing));
    } catch (err) {
      problems.add((err as Error).message);
    }
  }
  const [first, ...more] = problems;
  if (first !== undefined) throw badInput(more.length === 0 ? first : `${first} (and ${more.length} more)`, more);
}

/** Root passes every permission check but a read-only filesystem's: access() still says EROFS. */
function refuseUnwritable(dir: string): void {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw badInput(`cannot write into ${dir}: ${why(err)}`);
  }
}

/** Moves every staged file into place; on any failure puts back what was there and rethrows. */
function moveIntoPlace(staging: string, out: string, files: readonly FileToWrite[], created: string[]): string[] {
  const done: { target: string; backup: string | undefined }[] = [];
  try {
    files.forEach((f, i) => {
      const target = join(out, f.path);
      created.push(...makeDirs(dirname(target)));
      let backup: string | undefined;
      if (existsSync(target)) {
        backup = join(staging, `.old-${i}`);
        keepCopy(target, backup);
      }
      try {
        renameSync(join(staging, f.path), target);
      } catch (err) {
        // A folder of OUT that is a mount point of its own: not one rename, still one atomic write.
        if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
        writeFileAtomic(target, f.content, f.mode, f.owner);
      }
      done.push({ target, backup });
    });
    failpoint('write');
  } catch (err) {
    for (const { target, backup } of done.reverse()) {
      if (backup) renameSync(backup, target);
      else rmSync(target, { force: true });
    }
    throw inputError(out, err);
  }
  return done.map((d) => d.target);
}

/** A hard link costs nothing and keeps owner and mode; a filesystem without them gets a copy. */
function keepCopy(file: string, backup: string): void {
  try {
    linkSync(file, backup);
  } catch {
    copyFileSync(file, backup);
  }
}

/** What a kill -9 left behind: staging folders of processes that are gone. */
function removeStaleStaging(out: string): void {
  for (const name of readdirSync(out)) {
    const pid = STAGING_NAME.exec(name)?.[1];
    if (pid !== undefined && procStat(pid) === undefined) rmSync(join(out, name), { recursive: true, force: true });
  }
}

function rmdirQuietly(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    /* not empty or gone: not ours to force */
  }
}

/** Errors that say the path the user gave cannot take the files, rather than that hactl went wrong. */
const INPUT_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only filesystem',
  ENOTDIR: 'a part of it is a file, not a folder',
  EEXIST: 'a file is in the way',
  EISDIR: 'a folder is in the way',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
};

function why(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return (code && INPUT_ERRORS[code]) ?? (err as Error).message;
}

function inputError(path: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  return code && code in INPUT_ERRORS ? badInput(`cannot write to ${path}: ${why(err)}`) : err;
}

function asInputError<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw inputError(path, err);
  }
}
