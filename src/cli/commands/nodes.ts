import type { Command } from 'commander';
import { EXIT, HactlError } from '../../errors.js';
import { wholeNumber } from '../../util/whole-number.js';
import { contextOf, examples } from '../context.js';
import { progressPrinter } from './up.js';

export function register(program: Command): void {
  program
    .command('restart')
    .description('restart one node or balancer (stop it, then converge)')
    .argument('<node>', 'a node name, lb-web or lb-db')
    .addHelpText('after', examples('hactl restart web1', 'hactl restart mysql2', 'hactl restart lb-web'))
    .action(async (name: string, _opts, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      const { restartNode } = await import('../../ops/node-ops.js');
      const result = await restartNode(project, name, { runtime }, runner, progressPrinter(out));
      if (out.json) out.printJson(result);
      else out.print(`${out.color.green('✓')} restarted ${name}${result.started.length > 1 ? ` (also started ${result.started.filter((n) => n !== name).join(', ')})` : ''}`);
    });

  program
    .command('stop')
    .description('stop one node or balancer, until the next command that converges the cluster (start, up, restart, reload, add, remove, session-mode)')
    .argument('<node>', 'a node name, lb-web or lb-db')
    .addHelpText('after', examples('hactl stop mysql2', 'hactl stop web1'))
    .action(async (name: string, _opts, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      const { stopNode } = await import('../../ops/node-ops.js');
      const result = await stopNode(project, name, { runtime }, runner, progressPrinter(out));
      if (out.json) out.printJson(result);
      else out.print(`${out.color.green('✓')} stopped ${name} (hactl start ${name}, or any command that converges the cluster, starts it again)`);
    });

  program
    .command('start')
    .description('start a stopped node: converges the cluster, so whatever else is stopped starts too')
    .argument('<node>', 'a node name, lb-web or lb-db')
    .addHelpText('after', examples('hactl start mysql2'))
    .action(async (name: string, _opts, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      const { startNode } = await import('../../ops/node-ops.js');
      const result = await startNode(project, name, { runtime }, runner, progressPrinter(out));
      if (out.json) out.printJson(result);
      else out.print(`${out.color.green('✓')} ${result.started.length ? `started ${result.started.join(', ')}` : `${name} was already running`}`);
    });

  program
    .command('test')
    .description('test one node directly, not through its balancer: a web node over HTTP, a DB node with a query')
    .argument('<node>', 'a web or DB node')
    .addHelpText('after', examples('hactl test web1', 'hactl test mysql2 --json'))
    .action(async (name: string, _opts, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      const { probeNode } = await import('../../ops/probe.js');
      const r = await probeNode(project, name, { runtime }, runner);
      if (out.json) out.printJson(r);
      else out.print(`${r.ok ? out.color.green('✓') : out.color.red('✗')} ${name}: ${r.detail} (${r.target}, ${r.ms} ms)`);
      if (!r.ok) throw HactlError.quiet(EXIT.failed);
    });

  program
    .command('logs')
    .description("show a node's log (its process output; for DB nodes also MariaDB's error log)")
    .argument('<node>', 'a node name, lb-web or lb-db')
    .option('-n, --lines <n>', 'how many of the last lines', '50')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .addHelpText('after', examples('hactl logs web1', 'hactl logs lb-web -f', 'hactl logs mysql1 -n 200'))
    .action(async (name: string, opts: { lines: string; follow?: boolean }, command: Command) => {
      const { project, runner, runtime } = await contextOf(command);
      const lines = wholeNumber('--lines', opts.lines, 0, 1_000_000);
      const abort = new AbortController();
      process.once('SIGINT', () => abort.abort());
      const { nodeLog } = await import('../../ops/node-ops.js');
      await nodeLog(project, name, { runtime, lines, follow: opts.follow === true, signal: abort.signal }, runner, (chunk) => process.stdout.write(chunk));
    });
}
