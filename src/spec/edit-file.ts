import { statSync } from 'node:fs';
import { badInput } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { checkClusterText, type CheckedCluster } from './check.js';
import { readClusterFile } from './load.js';
import { parseClusterText } from './document.js';
import { YamlSource } from './yaml-source.js';
import { formatProblem } from './problem.js';

/**
 * The one path for every change to cluster.yaml: parse the user's file,
 * apply EDIT to its text, check the result as a whole, and only then
 * replace the file atomically. An edit that would make the file invalid
 * changes nothing. With dryRun, the new text is checked and returned only.
 */
export function editClusterFile(
  file: string,
  edit: (src: YamlSource) => void,
  options: { dryRun?: boolean } = {},
): CheckedCluster & { text: string; changed: boolean } {
  const before = readClusterFile(file);
  const { problems } = parseClusterText(before);
  if (problems.length > 0) {
    throw badInput(`${file} is not valid YAML; fix it first (hactl validate)`, problems.map((p) => formatProblem(file, p)));
  }
  const src = new YamlSource(before);
  edit(src);
  const text = src.text;
  const checked = checkClusterText(text);
  if (checked.problems.length > 0) {
    throw badInput(
      `this change would leave ${file} invalid; nothing was written`,
      checked.problems.map((p) => formatProblem(`${file} (after the change)`, p)),
    );
  }
  const changed = text !== before;
  if (changed && !options.dryRun) writeFileAtomic(file, text, statSync(file).mode & 0o777);
  return { ...checked, text, changed };
}
