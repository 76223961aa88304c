import type { Command } from 'commander';
import { contextOf, examples } from '../context.js';

export function register(program: Command): void {
  program
    .command('init')
    .description('write a starter cluster.yaml (2 web nodes, 2 MariaDB masters, sticky sessions)')
    .option('--force', 'overwrite an existing file')
    .option('--name <name>', 'cluster name (a DNS label)')
    .addHelpText('after', examples('hactl init', 'hactl init --name shop -f shop/cluster.yaml', 'hactl init --force'))
    .action(async (opts: { force?: boolean; name?: string }, command: Command) => {
      const { project, out } = await contextOf(command);
      const { initProject } = await import('../../ops/init.js');
      const starter = initProject(project, opts);
      if (out.json) return out.printJson({ file: starter.file, written: true, starter: starter.summary });
      out.print(`${out.color.green('✓')} wrote ${starter.file} (the starter: ${starter.summary})`);
      const { LOGIN_HINT } = await import('../../dashboard/credentials.js');
      out.print(`  dashboard login: ${LOGIN_HINT}`);
      out.print('  next: read it, then `hactl validate` and `hactl render`');
    });
}
