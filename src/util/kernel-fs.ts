import { existsSync, realpathSync, statfsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * Kernel filesystems: what is written there is not a file (and mkdir under
 * /proc answers ENOENT for a parent that exists, which sends a recursive
 * mkdir round for ever). Known by path and, for one mounted elsewhere (a
 * container's /host/proc), by its type.
 */
const ROOTS = ['/proc', '/sys', '/dev'];
const TYPES = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
]);

/** The kernel filesystem PATH (which need not exist yet) would be on, if it would. */
export function kernelFilesystem(path: string): string | undefined {
  const abs = resolve(path);
  const existing = nearestExisting(abs);
  const real = join(realpathSync(existing), relative(existing, abs));
  return ROOTS.find((r) => [abs, real].some((p) => p === r || p.startsWith(r + sep))) ?? TYPES.get(statfsSync(existing).type);
}

/** PATH itself or the closest folder above it that exists. */
export function nearestExisting(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}
