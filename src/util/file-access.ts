import { chownSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Owner } from './atomic-write.js';

/**
 * The first folder on the way to PATH (PATH itself too, when it is a folder)
 * that WHO may not pass through: no search (x) bit for its owner, group or
 * others, as the kernel picks them. undefined when the whole way is open.
 * WHO's supplementary groups are not looked at: www-data and nobody have none.
 */
export function blockedOnTheWay(path: string, who: Owner): string | undefined {
  const dirs: string[] = [];
  for (let d = resolve(path); ; d = dirname(d)) {
    dirs.unshift(d);
    if (d === dirname(d)) break;
  }
  for (const d of dirs) {
    let stat;
    try {
      stat = statSync(d);
    } catch {
      // Not made yet: whoever makes it decides its mode.
      return undefined;
    }
    if (!stat.isDirectory()) continue;
    const bits = stat.uid === who.uid ? stat.mode >> 6 : stat.gid === who.gid ? stat.mode >> 3 : stat.mode;
    if ((bits & 0o1) === 0) return d;
  }
  return undefined;
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
