import { createHash } from 'node:crypto';
import type { RenderedFile } from '../render/index.js';

/**
 * What process NAME runs with, as one short hash: how its runtime launches
 * it (LAUNCH: a command line locally) and its own rendered files. A
 * balancer's config counts by its shape (states and weights are set through
 * the runtime API); the app's settings are read on every request, so they
 * are not in it. The one hash both runtimes plan with.
 */
export function processHash(name: string, launch: unknown, files: readonly RenderedFile[]): string {
  const own = files.filter((f) => f.path.startsWith(`${name}/`) && f.kind !== 'app').map((f) => [f.path, f.shape ?? f.content]);
  return createHash('sha256').update(JSON.stringify([launch, own])).digest('hex').slice(0, 16);
}
