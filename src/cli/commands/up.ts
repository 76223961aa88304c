import type { Command } from 'commander';
import { contextOf, examples, type Context } from '../context.js';
import type { Output } from '../output.js';
import type { Executed } from '../../ops/execute.js';
import type { UpSummary } from '../../ops/up.js';
import { displayPath } from '../../util/display-path.js';

/** One progress line per step, on stderr so that --json output stays one document. */
export function progressPrinter(out: Output) {
  const t0 = Date.now();
  return (step: string, detail?: string) =>
    out.error(`${out.color.dim(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`)} ${out.color.bold(step)}${detail ? `: ${detail}` : ''}`);
}

/** What up did, and where the cluster answers. */
function printUp(out: Output, result: UpSummary & Pick<Executed, 'written' | 'told' | 'outages'>, ms: number): void {
  const changed = result.started.length + result.reloaded.length;
  // A file written with nothing reloaded: only node states or weights changed in it, which lb-web was told at once.
  const wrote = result.written.length ? `; wrote ${result.written.join(', ')}` : '';
  const told = result.told.length ? `; told lb-web: ${result.told.join('; ')}` : '';
  out.print(
    changed === 0
      ? `${out.color.green('✓')} ${wrote || told ? 'nothing to start or reload' : 'up to date'} (${result.runtime} runtime)${wrote}${told}`
      : `${out.color.green('✓')} cluster up in ${(ms / 1000).toFixed(1)} s (${result.runtime} runtime)` +
          `${result.started.length ? `; started ${result.started.join(', ')}` : ''}${result.reloaded.length ? `; reloaded ${result.reloaded.join(', ')}` : ''}`,
  );
  // A balancer restarted rather than reloaded (a new engine, a new port): say what it cost.
  for (const o of result.outages ?? []) out.print(`  ${o.process} was restarted: its entry points did not answer for ${(o.ms / 1000).toFixed(2)} s`);
  out.print(`  site:   ${result.endpoints.http}`);
  if (result.endpoints.https) out.print(`  https:  ${result.endpoints.https}${result.ca ? `  (hactl's own CA: curl --cacert ${displayPath(result.ca)})` : ''}`);
  out.print(`  stats:  ${result.endpoints.stats}  (user admin; password: hactl config --show-secrets)`);
  out.print(`  DB:     ${result.endpoints.db}  (through lb-db)`);
}

export function register(program: Command): void {
  program
    .command('up')
    .description('bring the cluster up, or converge it to cluster.yaml: starts what is missing, restarts nothing that is fine')
    .option('--install', 'install missing Debian packages first (apt-get, as root or with sudo)')
    .option('--dashboard', 'then serve the dashboard (on 127.0.0.1, ports.dashboard) until Ctrl-C')
    .option('--dry-run', 'print the plan (files to write, processes to start, restart or reload, lb-web commands), change nothing')
    .addHelpText('after', examples('hactl up', 'hactl up --install', 'hactl up --runtime local', 'hactl up --dry-run', 'hactl up --json | jq .endpoints'))
    .action(async (opts: { install?: boolean; dashboard?: boolean; dryRun?: boolean }, command: Command) => {
      const ctx = await contextOf(command);
      const { project, out, runner, runtime } = ctx;
      if (opts.dryRun) return printUpPlan(ctx);
      const t0 = Date.now();
      const progress = progressPrinter(out);
      const [{ up }, { writeStarterForUp }] = await Promise.all([import('../../ops/up.js'), import('../../ops/init.js')]);
      const starter = writeStarterForUp(project);
      if (starter) progress('cluster.yaml', `there was none, so wrote ${starter.file} (the starter: ${starter.summary})`);
      const result = await up(project, { runtime, install: opts.install === true }, runner, progress);
      await printWarnings(out, project.file);
      if (out.json) out.printJson({ ...result, seconds: (Date.now() - t0) / 1000 });
      else printUp(out, result, Date.now() - t0);
      if (opts.dashboard) {
        const { serveDashboard } = await import('./dashboard.js');
        await serveDashboard(ctx, { host: '127.0.0.1', allow: [] });
      }
    });

  program
    .command('plan')
    .description('print what hactl up would do now, and why; change nothing (the plan up runs)')
    .addHelpText('after', examples('hactl plan', 'hactl plan --json'))
    .action(async (_opts, command: Command) => printUpPlan(await contextOf(command)));

  program
    .command('down')
    .description('stop every process of the cluster; data is kept unless --purge')
    .option('--purge', 'also delete data, logs and rendered configs (secrets are kept)')
    .addHelpText('after', examples('hactl down', 'hactl down --purge'))
    .action(async (opts: { purge?: boolean }, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      const { down } = await import('../../ops/up.js');
      const stopped = await down(project, { runtime, purge: opts.purge === true }, runner, progressPrinter(out));
      if (out.json) out.printJson({ stopped, purged: opts.purge === true });
      else out.print(`${out.color.green('✓')} ${stopped.length ? `stopped ${stopped.join(', ')}` : 'nothing was running'}${opts.purge ? '; data purged' : ''}`);
    });
}

/** What validation says of a valid file that does not do quite what it says (the apache engine's check period). */
async function printWarnings(out: Output, file: string): Promise<void> {
  const [{ inspectClusterFile }, { formatProblem }, { displayPath }] = await Promise.all([
    import('../../spec/load.js'),
    import('../../spec/problem.js'),
    import('../../util/display-path.js'),
  ]);
  for (const w of inspectClusterFile(file).warnings) out.error(`${out.color.yellow('warning:')} ${formatProblem(displayPath(file), w)}`);
}

async function printUpPlan({ project, out, runner, runtime }: Context): Promise<void> {
  const [{ planProject }, { refuseDryRunWithoutFile }] = await Promise.all([import('../../ops/up.js'), import('../../ops/init.js')]);
  refuseDryRunWithoutFile(project);
  const plan = await planProject(project, { runtime }, runner, progressPrinter(out));
  const { printDryRun } = await import('../plan-table.js');
  printDryRun(out, plan, `plan for the ${plan.runtime} runtime (nothing was changed):`, 'nothing to do: the cluster runs what cluster.yaml says');
}
