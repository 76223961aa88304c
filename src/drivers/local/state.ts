import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { isObject, readRecords } from '../../util/json-records.js';

/** What the local runtime started, so a later command can find, compare and stop it. */
export interface ProcessRecord {
  pid: number;
  startedAt: string;
}

export type LocalState = Record<string, ProcessRecord>;

export function stateFile(stateDir: string): string {
  return join(stateDir, 'run', 'processes.json');
}

export function readState(stateDir: string): LocalState {
  // A lost record costs little: processes are found again by their pid files.
  return readRecords(stateFile(stateDir), isProcessRecord);
}

function isProcessRecord(v: unknown): v is ProcessRecord {
  return isObject(v) && Number.isInteger(v.pid) && (v.pid as number) > 1 && typeof v.startedAt === 'string';
}

export function writeState(stateDir: string, state: LocalState): void {
  writeFileAtomic(stateFile(stateDir), JSON.stringify(state, null, 2) + '\n', 0o600);
}
