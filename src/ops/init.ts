import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { badInput } from '../errors.js';
import { PACKAGE_ROOT } from '../paths.js';
import { checkClusterText } from '../spec/check.js';
import { FORMATS, formatMessage } from '../spec/formats.js';
import { formatProblem } from '../spec/problem.js';
import { loadOrCreateSecrets } from '../secrets/store.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { refuseUnusableTarget } from '../util/write-all.js';
import type { Project } from './project.js';

const SCHEMA_LINE = /^# yaml-language-server: \$schema=.*$/m;

/**
 * The starter cluster.yaml is the repository's own default file, so the two
 * can never drift; the schema modeline is pointed at this installation's
 * schema when the project lives elsewhere.
 */
export function starterClusterYaml(project: Project, name?: string): string {
  let text = readFileSync(join(PACKAGE_ROOT, 'cluster.yaml'), 'utf8');
  if (project.dir !== PACKAGE_ROOT) {
    text = text.replace(SCHEMA_LINE, `# yaml-language-server: $schema=${join(PACKAGE_ROOT, 'schema', 'cluster.schema.json')}`);
  }
  if (name !== undefined) {
    // Checked before it is spliced into YAML: a line break could add keys.
    if (!FORMATS['dns-label']!.test(name)) throw badInput(`--name: ${formatMessage('dns-label', name)}`);
    text = text.replace(/^name: .*$/m, `name: ${name}`);
  }
  return text;
}

export function initProject(project: Project, options: { force?: boolean; name?: string }): void {
  if (existsSync(project.file) && !options.force) {
    throw badInput(`${project.file} already exists; use --force to overwrite it`);
  }
  const text = starterClusterYaml(project, options.name);
  const { problems } = checkClusterText(text);
  if (problems.length > 0) {
    throw badInput('the starter cluster.yaml would not be valid; nothing was written', problems.map((p) => formatProblem(project.file, p)));
  }
  // A folder that cannot take the file (read-only, not a folder) is bad input, said before anything is made.
  refuseUnusableTarget(project.dir);
  writeFileAtomic(project.file, text, 0o644);
  // The secrets, the dashboard's login among them, exist from the start.
  loadOrCreateSecrets(project.stateDir);
}
