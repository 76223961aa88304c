import { readFileSync } from 'node:fs';
import { badInput, HactlError } from '../errors.js';
import { displayPath } from '../util/display-path.js';
import { checkClusterText, type CheckedCluster } from './check.js';
import { formatProblem } from './problem.js';

export interface LoadedCluster extends CheckedCluster {
  file: string;
  text: string;
}

export function readClusterFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw badInput(`${file} not found: run \`hactl init\` to write a starter cluster.yaml, or pass -f FILE`);
    throw new HactlError(`cannot read ${file}: ${e.message}`);
  }
}

/** Read and check FILE; problems are returned, not thrown (for `hactl validate`). */
export function inspectClusterFile(file: string): LoadedCluster {
  const text = readClusterFile(file);
  return { file, text, ...checkClusterText(text) };
}

/** Read FILE and insist it is valid: every command but validate starts here. */
export function loadClusterFile(file: string): LoadedCluster {
  const loaded = inspectClusterFile(file);
  if (loaded.problems.length > 0) {
    const shown = displayPath(file);
    throw badInput(
      `${shown} has ${loaded.problems.length} problem${loaded.problems.length === 1 ? '' : 's'}; nothing was changed`,
      loaded.problems.map((p) => formatProblem(shown, p)),
    );
  }
  return loaded;
}
