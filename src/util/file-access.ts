import { spawnSync } from 'node:child_process';
import { chownSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Owner } from './atomic-write.js';

/** The folders on the way to PATH that exist (PATH too, when it is one), outermost first. */
function foldersOnTheWay(path: string): string[] {
  const dirs: string[] = [];
  for (let d = resolve(path); ; d = dirname(d)) {
    dirs.unshift(d);
    if (d === dirname(d)) break;
  }
  const exists = dirs.findIndex((d) => !isDirectory(d));
  return exists === -1 ? dirs : dirs.slice(0, exists);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The first folder on the way to PATH that USER may not pass through, or
 * undefined when the whole way is open. The kernel is asked, as USER
 * (`runuser`, so root only): mode bits alone would miss ACL entries and
 * USER's groups.
 */
export function blockedOnTheWay(path: string, user: string): string | undefined {
  const probe = spawnSync('runuser', ['-u', user, '--', 'sh', '-c', 'for d; do test -x "$d" || { echo "$d"; exit; }; done', 'sh', ...foldersOnTheWay(path)], {
    encoding: 'utf8',
  });
  if (probe.error || probe.status !== 0) throw new Error(`cannot check the way to ${path} as ${user}: ${probe.error?.message ?? probe.stderr.trim()}`);
  return probe.stdout.trim() || undefined;
}

/**
 * Lets USER pass through DIR, and only that (it cannot list it), with an
 * ACL entry: DIR's mode and its other users are left as they were. false
 * when setfacl is missing or DIR's file system takes no ACLs.
 */
export function grantPassage(dir: string, user: string): boolean {
  const grant = spawnSync('setfacl', ['-m', `u:${user}:x`, dir], { stdio: 'ignore' });
  return !grant.error && grant.status === 0;
}

/** DIR and everything under it given to OWNER (symbolic links themselves, never what they point at). */
export function chownTree(dir: string, owner: Owner): void {
  chownSync(dir, owner.uid, owner.gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) chownTree(path, owner);
    else chownSync(path, owner.uid, owner.gid);
  }
}
