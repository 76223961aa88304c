import type { Command } from 'commander';
import { EXIT, HactlError } from '../../errors.js';
import { contextOf, examples } from '../context.js';
import { STORE_TIERS } from '../../spec/model.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('check cluster.yaml and report every problem at once (exit 2 if any)')
    .argument('[file]', 'cluster file (default: -f or ./cluster.yaml)')
    .addHelpText('after', examples('hactl validate', 'hactl validate other.yaml --json'))
    .action(async (file: string | undefined, _opts, command: Command) => {
      const { project, out } = await contextOf(command, file);
      const [{ inspectClusterFile }, { formatPath, formatProblem }, { displayPath }] = await Promise.all([
        import('../../spec/load.js'),
        import('../../spec/problem.js'),
        import('../../util/display-path.js'),
      ]);
      const { problems, cluster, warnings } = inspectClusterFile(project.file);
      const shown = displayPath(project.file);
      if (out.json) {
        out.printJson({
          file: project.file,
          valid: problems.length === 0,
          problems: problems.map((p) => ({ line: p.line, col: p.col, path: formatPath(p.path), message: p.message })),
          warnings: warnings.map((p) => ({ line: p.line, col: p.col, path: formatPath(p.path), message: p.message })),
        });
      } else if (problems.length === 0) {
        for (const w of warnings) out.error(`${out.color.yellow('warning:')} ${formatProblem(shown, w)}`);
        out.print(`${out.color.green('✓')} ${shown} is valid: ${cluster.web.length} web node(s), ${cluster.db.length} DB node(s)${STORE_TIERS.filter((tier) => cluster[tier].length > 0).map((tier) => `, ${cluster[tier].length} ${tier} node(s)`).join('')}, session mode ${cluster.sessionMode}`);
      } else {
        for (const p of problems) out.error(formatProblem(shown, p));
      }
      if (problems.length > 0) throw HactlError.quiet(EXIT.badInput);
    });
}
