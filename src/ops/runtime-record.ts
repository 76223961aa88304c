import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { badInput } from '../errors.js';
import type { ConcreteRuntime, Runtime } from '../spec/model.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { isObject, readRecords } from '../util/json-records.js';

/**
 * The runtime a cluster was started on, recorded at its first up and kept
 * until down --purge. `auto` is decided once: decided again on every
 * command, a cluster of local processes turned into a "compose: down" one
 * as soon as a Docker engine appeared, and add tried to start a second
 * cluster beside it.
 */
export interface RuntimeRecord {
  runtime: ConcreteRuntime;
  /** When it was recorded (ISO 8601). */
  since: string;
}

const FILE = 'runtime.json';
const KEY = 'cluster';

function isRecord(v: unknown): v is RuntimeRecord {
  return isObject(v) && (v.runtime === 'local' || v.runtime === 'compose') && typeof v.since === 'string';
}

export function recordedRuntime(stateDir: string): RuntimeRecord | undefined {
  return readRecords(join(stateDir, FILE), isRecord)[KEY];
}

export function recordRuntime(stateDir: string, runtime: ConcreteRuntime): void {
  if (recordedRuntime(stateDir)?.runtime === runtime) return;
  writeFileAtomic(join(stateDir, FILE), `${JSON.stringify({ [KEY]: { runtime, since: new Date().toISOString() } }, null, 2)}\n`, 0o600);
}

export function forgetRuntime(stateDir: string): void {
  rmSync(join(stateDir, FILE), { force: true });
}

/**
 * The runtime to use when ASKED (--runtime, else cluster.yaml's runtime:)
 * meets what is RECORDED: the recorded one for auto; an explicit other one
 * is refused, since it would start a second cluster beside the first.
 * undefined: nothing recorded and auto asked, so the machine decides.
 */
export function runtimeFromRecord(asked: Runtime, askedBy: '--runtime' | 'cluster.yaml', recorded: RuntimeRecord | undefined): ConcreteRuntime | undefined {
  if (asked !== 'auto') {
    if (recorded && recorded.runtime !== asked) {
      const given = askedBy === '--runtime' ? `--runtime ${asked}` : `runtime: ${asked} in cluster.yaml`;
      const as = recorded.runtime === 'local' ? 'local processes' : 'compose containers';
      throw badInput(`${given} contradicts this cluster's runtime: it was started as ${as} (recorded in .hactl/${FILE} on ${recorded.since})`, [
        `to keep it: run without --runtime, or set runtime: ${recorded.runtime} (or auto) in cluster.yaml`,
        `to move it to ${asked}: hactl down --purge (this deletes its databases), then hactl up --runtime ${asked}`,
      ]);
    }
    return asked;
  }
  return recorded?.runtime;
}
