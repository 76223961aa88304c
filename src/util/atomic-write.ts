import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, linkSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export interface Owner {
  uid: number;
  gid: number;
}

/**
 * Make DIR and its missing parents one level at a time, and name the folders
 * made, outermost first, so that a failed write can take them away again.
 * Not mkdirSync's recursive mode: under /proc it loops for ever (mkdir
 * answers ENOENT although the parent exists).
 */
export function makeDirs(dir: string, mode = 0o777): string[] {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      mkdirSync(d, { mode });
    } catch (err) {
      // Made by someone else meanwhile: theirs, not ours to remove.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(d).isDirectory()) throw err;
      missing.splice(missing.indexOf(d), 1);
    }
  }
  return missing;
}

/**
 * Write CONTENT to a new temp file beside PATH, with PATH's final mode and
 * owner, for the caller to rename or link into place: a temp file left by a
 * kill -9 is no more readable than the file itself would have been.
 */
function stageFile(path: string, content: string, mode = 0o644, owner?: Owner): string {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, content, { mode, flag: 'wx' });
    // The umask may have masked bits off (or, for secrets, we want to be sure).
    chmodSync(tmp, mode);
    // Owned before it appears: a reader in a container never finds it unreadable.
    // Only root may give a file away; anyone else (hactl render) keeps it as theirs.
    if (owner && process.getuid?.() === 0) chownSync(tmp, owner.uid, owner.gid);
    return tmp;
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Write a file so that readers see either the old or the new content, never
 * a half-written one: stage it in the same folder, then rename it over the
 * target (rename is atomic within one filesystem).
 */
export function writeFileAtomic(path: string, content: string, mode = 0o644, owner?: Owner): void {
  makeDirs(dirname(path));
  const tmp = stageFile(path, content, mode, owner);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Create PATH with CONTENT unless it exists (then false), never visible
 * half-written: staged, then hard-linked into place, which fails if the name
 * is taken.
 */
export function createFileAtomic(path: string, content: string, mode = 0o644): boolean {
  const tmp = stageFile(path, content, mode);
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}
