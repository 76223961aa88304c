import { statSync } from 'node:fs';
import { badInput } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { checkClusterText, type CheckedCluster } from './check.js';
import { displayPath } from '../util/display-path.js';
import { loadClusterFile } from './load.js';
import type { Cluster } from './model.js';
import { readClusterFile } from './read.js';
import { YamlSource } from './yaml-source.js';
import { formatProblem } from './problem.js';

export interface EditedCluster extends CheckedCluster {
  /** The file's text the edit was made to, and its model. */
  before: string;
  previous: Cluster;
  text: string;
  changed: boolean;
}

/**
 * The one path for every change to cluster.yaml: load the user's file,
 * apply EDIT to its text, check the result as a whole, and only then
 * replace the file atomically. An edit that would make the file invalid
 * changes nothing. With dryRun, the new text is checked and returned only.
 */
export function editClusterFile(file: string, edit: (src: YamlSource) => void, options: { dryRun?: boolean } = {}): EditedCluster {
  // A file that is already invalid is refused with its own problems, at their own lines:
  // reported "after the change", they would point at lines of a text no one can see.
  const loaded = loadClusterFile(file);
  const before = loaded.text;
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
  const edited = { ...checked, before, previous: loaded.cluster, text, changed: text !== before };
  if (!options.dryRun) writeEdited(file, edited, edit);
  return edited;
}

/**
 * Write an edit checked earlier (a dry run): its text if the file still
 * reads as the text it was made to, else the edit made again to what the
 * file says now (a hand edit meanwhile is kept, and checked with it).
 */
export function writeEdited(file: string, edited: EditedCluster, edit: (src: YamlSource) => void): void {
  if (readClusterFile(file) !== edited.before) {
    editClusterFile(file, edit);
    return;
  }
  if (edited.changed) writeFileAtomic(file, edited.text, statSync(file).mode & 0o777);
}
