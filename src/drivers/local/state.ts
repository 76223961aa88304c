import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-write.js';

/** What the local runtime started, so a later command can find, compare and stop it. */
export interface ProcessRecord {
  pid: number;
  /** Hash of what the process was started with; a change means restart (or reload). */
  hash: string;
  startedAt: string;
}

export type LocalState = Record<string, ProcessRecord>;

export function stateFile(stateDir: string): string {
  return join(stateDir, 'run', 'processes.json');
}

export function readState(stateDir: string): LocalState {
  const file = stateFile(stateDir);
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LocalState;
  } catch {
    // A torn or hand-edited file: forget it; processes are found again by their pid files.
    return {};
  }
}

export function writeState(stateDir: string, state: LocalState): void {
  writeFileAtomic(stateFile(stateDir), JSON.stringify(state, null, 2) + '\n', 0o600);
}
