import { resolve } from 'node:path';
import type { Command } from 'commander';
import { contextOf, examples } from '../context.js';

export function register(program: Command): void {
  program
    .command('render')
    .description('render every config from cluster.yaml (HAProxy, MariaDB, app settings, compose) and check them with haproxy -c')
    .option('--out <dir>', 'output folder (default: .hactl/rendered/RUNTIME)')
    .addHelpText('after', examples('hactl render', 'hactl render --out /tmp/hactl-configs --runtime compose'))
    .action(async (opts: { out?: string }, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      const { renderProject } = await import('../../ops/render.js');
      const summary = await renderProject(project, { runtime, out: opts.out && resolve(opts.out) }, runner);
      if (out.json) {
        out.printJson({
          runtime: summary.runtime,
          out: summary.out,
          files: summary.files.map((f) => ({ path: f.path, kind: f.kind, mode: `0${f.mode.toString(8)}` })),
          // haproxy -c for HAProxy's configs, apache2 -t for Apache's.
          config_check: summary.checks ? summary.checks.map((c) => ({ file: c.file, ok: c.ok })) : 'skipped: a checker is not installed',
        });
        return;
      }
      out.print(`Rendered for the ${summary.runtime} runtime into ${summary.out}:`);
      out.table(
        ['file', 'what', 'mode', 'check'],
        summary.files.map((f) => {
          const check = summary.checks?.find((c) => c.file === f.path);
          const checker = f.kind === 'haproxy' ? 'haproxy -c' : f.kind === 'apache' ? 'apache2 -t' : undefined;
          return [f.path, f.kind, `0${f.mode.toString(8)}`, !checker ? '' : check ? out.color.green(`valid (${checker})`) : 'skipped'];
        }),
      );
      if (!summary.checks) out.print(out.color.yellow('haproxy or apache2 is not installed: the configs were not all checked (apt-get install haproxy apache2)'));
    });
}
