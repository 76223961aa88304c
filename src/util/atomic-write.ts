import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';

/**
 * Write a file so that readers see either the old or the new content, never
 * a half-written one: write a temp file in the same folder, fix its mode,
 * then rename over the target (rename is atomic within one filesystem).
 */
export function writeFileAtomic(path: string, content: string, mode = 0o644, owner?: { uid: number; gid: number }): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, content, { mode, flag: 'wx' });
    // The umask may have masked bits off (or, for secrets, we want to be sure).
    chmodSync(tmp, mode);
    // Owned before it appears: a reader in a container never finds it unreadable.
    // Only root may give a file away; anyone else (hactl render) keeps it as theirs.
    if (owner && process.getuid?.() === 0) chownSync(tmp, owner.uid, owner.gid);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
