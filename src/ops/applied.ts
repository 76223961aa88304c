import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { isObject, readRecords } from '../util/json-records.js';

/**
 * The record step of every plan: per process, the hash it was last
 * started, restarted or reloaded with (src/plan/process-hash.ts: what it
 * reads and how it is run), whatever
 * the runtime. What the planner compares the desired hash with.
 */
export interface AppliedRecord {
  hash: string;
  launch: string;
  at: string;
}

const FILE = 'applied.json';

function isApplied(v: unknown): v is AppliedRecord {
  return isObject(v) && typeof v.hash === 'string' && typeof v.launch === 'string' && typeof v.at === 'string';
}

export function readApplied(stateDir: string): Record<string, AppliedRecord> {
  return readRecords(join(stateDir, FILE), isApplied);
}

/** HASHES by process, added to what is recorded; names not in KEEP (removed nodes) are dropped. */
export function recordApplied(stateDir: string, hashes: ReadonlyMap<string, { hash: string; launch: string }>, keep: ReadonlySet<string>): void {
  if (hashes.size === 0) return;
  const at = new Date().toISOString();
  const record = Object.fromEntries(Object.entries(readApplied(stateDir)).filter(([name]) => keep.has(name)));
  for (const [name, { hash, launch }] of hashes) record[name] = { hash, launch, at };
  writeFileAtomic(join(stateDir, FILE), `${JSON.stringify(record, null, 2)}\n`, 0o600);
}

export function forgetApplied(stateDir: string): void {
  rmSync(join(stateDir, FILE), { force: true });
}
