import type { Command } from 'commander';
import { badInput } from '../../errors.js';
import { contextOf, examples } from '../context.js';
import { progressPrinter } from './up.js';

export function register(program: Command): void {
  program
    .command('restart')
    .description('restart one node or balancer (stop it, then converge)')
    .argument('<node>', 'a node name, lb-web or lb-db')
    .addHelpText('after', examples('hactl restart web1', 'hactl restart mysql2', 'hactl restart lb-web'))
    .action(async (name: string, _opts, command: Command) => {
      const { project, out, runner, runtime } = contextOf(command);
      const { restartNode } = await import('../../ops/node-ops.js');
      const result = await restartNode(project, name, { runtime }, runner, progressPrinter(out));
      if (out.json) out.printJson(result);
      else out.print(`${out.color.green('✓')} restarted ${name}${result.started.length > 1 ? ` (also started ${result.started.filter((n) => n !== name).join(', ')})` : ''}`);
    });

  program
    .command('logs')
    .description("show a node's log (its process output; for DB nodes also MariaDB's error log)")
    .argument('<node>', 'a node name, lb-web or lb-db')
    .option('-n, --lines <n>', 'how many of the last lines', '50')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .addHelpText('after', examples('hactl logs web1', 'hactl logs lb-web -f', 'hactl logs mysql1 -n 200'))
    .action(async (name: string, opts: { lines: string; follow?: boolean }, command: Command) => {
      const { project, runner, runtime } = contextOf(command);
      const lines = Number(opts.lines);
      if (!Number.isInteger(lines) || lines < 0 || lines > 1_000_000) throw badInput(`--lines: ${JSON.stringify(opts.lines)} is not a whole number from 0 to 1000000`);
      const abort = new AbortController();
      process.once('SIGINT', () => abort.abort());
      const { nodeLog } = await import('../../ops/node-ops.js');
      await nodeLog(project, name, { runtime, lines, follow: opts.follow === true, signal: abort.signal }, runner, (chunk) => process.stdout.write(chunk));
    });
}
