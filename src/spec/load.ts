import { badInput } from '../errors.js';
import { displayPath } from '../util/display-path.js';
import { checkClusterText, type CheckedCluster } from './check.js';
import { formatProblem } from './problem.js';
import { readClusterFile } from './read.js';

export interface LoadedCluster extends CheckedCluster {
  file: string;
  text: string;
}

/** Read and check FILE; problems are returned, not thrown (for `hactl validate`). */
export function inspectClusterFile(file: string): LoadedCluster {
  const text = readClusterFile(file);
  return { file, text, ...checkClusterText(text) };
}

/** Read FILE and insist it is valid: every command but validate starts here. */
export function loadClusterFile(file: string): LoadedCluster {
  return validCluster(file, readClusterFile(file));
}

/** TEXT, read from FILE, checked; its problems, if any, thrown as bad input. */
export function validCluster(file: string, text: string): LoadedCluster {
  const loaded: LoadedCluster = { file, text, ...checkClusterText(text) };
  if (loaded.problems.length > 0) {
    const shown = displayPath(file);
    throw badInput(
      `${shown} has ${loaded.problems.length} problem${loaded.problems.length === 1 ? '' : 's'}; nothing was changed`,
      loaded.problems.map((p) => formatProblem(shown, p)),
    );
  }
  return loaded;
}
