import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { badInput } from '../errors.js';
import { PACKAGE_ROOT } from '../paths.js';
import { checkClusterText } from '../spec/check.js';
import { FORMATS, formatMessage } from '../spec/formats.js';
import type { Cluster } from '../spec/model.js';
import { formatProblem } from '../spec/problem.js';
import { loadOrCreateSecrets } from '../secrets/store.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { refuseUnusableTarget } from '../util/write-all.js';
import type { Project } from './project.js';

/**
 * The starter has a file of its own: the package's cluster.yaml is the
 * user's live file (git-ignored), which every live command edits, so
 * copying it would hand one project's nodes to the next.
 */
const STARTER_FILE = join(PACKAGE_ROOT, 'templates', 'cluster.yaml');
const SCHEMA_FILE = join(PACKAGE_ROOT, 'schema', 'cluster.schema.json');
const SCHEMA_LINE = /^# yaml-language-server: \$schema=.*$/m;

/** What the starter holds, in the words init and up print: "2 web nodes, 2 DB nodes, sticky sessions". */
export interface Starter {
  file: string;
  summary: string;
}

/**
 * The starter's text for PROJECT: its schema modeline pointed at this
 * installation's schema (relative inside the package, absolute elsewhere),
 * and NAME, if given, as the cluster's name.
 */
function starterClusterYaml(project: Project, name?: string): string {
  const schema = project.dir === PACKAGE_ROOT ? './schema/cluster.schema.json' : SCHEMA_FILE;
  let text = readFileSync(STARTER_FILE, 'utf8').replace(SCHEMA_LINE, `# yaml-language-server: $schema=${schema}`);
  if (name !== undefined) {
    // Checked before it is spliced into YAML: a line break could add keys.
    if (!FORMATS['dns-label']!.test(name)) throw badInput(`--name: ${formatMessage('dns-label', name)}`);
    text = text.replace(/^name: .*$/m, `name: ${name}`);
  }
  return text;
}

function checkedStarter(project: Project, name?: string): { text: string; cluster: Cluster } {
  const text = starterClusterYaml(project, name);
  const { problems, cluster } = checkClusterText(text);
  if (problems.length > 0) {
    throw badInput('the starter cluster.yaml would not be valid; nothing was written', problems.map((p) => formatProblem(project.file, p)));
  }
  return { text, cluster };
}

function summaryOf(cluster: Cluster): string {
  const nodes = (n: number, what: string) => `${n} ${what} node${n === 1 ? '' : 's'}`;
  return `${nodes(cluster.web.length, 'web')}, ${nodes(cluster.db.length, 'DB')}, ${cluster.sessionMode} sessions`;
}

function writeStarter(project: Project, name?: string): Starter {
  const { text, cluster } = checkedStarter(project, name);
  // A folder that cannot take the file (read-only, not a folder) is bad input, said before anything is made.
  refuseUnusableTarget(project.dir);
  writeFileAtomic(project.file, text, 0o644);
  // The secrets, the dashboard's login among them, exist from the start.
  loadOrCreateSecrets(project.stateDir);
  return { file: project.file, summary: summaryOf(cluster) };
}

export function initProject(project: Project, options: { force?: boolean; name?: string }): Starter {
  if (existsSync(project.file) && !options.force) {
    throw badInput(`${project.file} already exists; use --force to overwrite it`);
  }
  return writeStarter(project, options.name);
}

/**
 * Whether `up` may write the starter for a missing PROJECT file: only for
 * the package's own cluster.yaml, so that a fresh clone's first
 * `./bin/hactl up` runs the documented default. Anywhere else a missing
 * file is a wrong folder or a mistyped -f, and starting six processes there
 * would be the wrong answer: `hactl init` says it on purpose.
 */
function writesStarterOnUp(project: Project): boolean {
  return project.file === join(PACKAGE_ROOT, 'cluster.yaml') && !existsSync(project.file);
}

/** up's first step: the starter, written where writesStarterOnUp allows; undefined when nothing was written. */
export function writeStarterForUp(project: Project): Starter | undefined {
  return writesStarterOnUp(project) ? writeStarter(project) : undefined;
}

/**
 * A dry run writes nothing, the starter included, and without a file there
 * is no model to plan from: where up would write the starter, say so.
 */
export function refuseDryRunWithoutFile(project: Project): void {
  if (!writesStarterOnUp(project)) return;
  const summary = summaryOf(checkedStarter(project).cluster);
  throw badInput(
    `${project.file} does not exist yet: \`hactl up\` writes the starter there (${summary}) and starts it; ` +
      '`hactl init` writes only the file, then `hactl plan` lists each step. Nothing was changed',
  );
}
