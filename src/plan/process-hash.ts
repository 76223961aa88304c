import { createHash } from 'node:crypto';
import type { RenderedFile } from '../render/index.js';

const short = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);

/** What a process reads afresh (app, agent), or only at its start (peers), or is swapped into it (cert). */
const NOT_HASHED: readonly RenderedFile['kind'][] = ['app', 'agent', 'cert', 'peers'];

/**
 * What process NAME reads, as one short hash: its own rendered files. A
 * balancer's config counts by its shape (states and weights are set through
 * the runtime API); the app's settings are read on every request and a DB
 * agent's on every check, so they are not in it, nor lb-web's certificate
 * (the planner swaps it: src/plan/converge.ts), nor where a Redis node's
 * peers are (it follows them itself once it runs). A change is a reload for a balancer, a restart otherwise.
 */
export function configHash(name: string, files: readonly RenderedFile[]): string {
  return short(files.filter((f) => f.path.startsWith(`${name}/`) && !NOT_HASHED.includes(f.kind)).map((f) => [f.path, f.shape ?? f.content]));
}

/**
 * How a runtime runs a process (a command line locally, its image's
 * sources in compose), as one short hash. A change is a restart, for a
 * balancer too: a reload keeps the program it runs.
 */
export function launchHash(launch: unknown): string {
  return short(launch);
}
