import { statSync } from 'node:fs';
import { badInput } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { checkClusterText, type CheckedCluster } from './check.js';
import { displayPath } from '../util/display-path.js';
import { loadClusterFile } from './load.js';
import { YamlSource } from './yaml-source.js';
import { formatProblem } from './problem.js';

/**
 * The one path for every change to cluster.yaml: load the user's file,
 * apply EDIT to its text, check the result as a whole, and only then
 * replace the file atomically. An edit that would make the file invalid
 * changes nothing. With dryRun, the new text is checked and returned only.
 */
export function editClusterFile(
  file: string,
  edit: (src: YamlSource) => void,
  options: { dryRun?: boolean } = {},
): CheckedCluster & { text: string; changed: boolean } {
  // A file that is already invalid is refused with its own problems, at their own lines:
  // reported "after the change", they would point at lines of a text no one can see.
  const before = loadClusterFile(file).text;
  const src = new YamlSource(before);
  edit(src);
  const text = src.text;
  const checked = checkClusterText(text);
  if (checked.problems.length > 0) {
    const shown = displayPath(file);
    throw badInput(
      `this change would leave ${shown} invalid; nothing was written`,
      checked.problems.map((p) => formatProblem(`${shown} (after the change)`, p)),
    );
  }
  const changed = text !== before;
  if (changed && !options.dryRun) writeFileAtomic(file, text, statSync(file).mode & 0o777);
  return { ...checked, text, changed };
}
