import type { Command } from 'commander';
import { badInput } from '../../errors.js';
import { SESSION_MODES, type SessionMode } from '../../spec/model.js';
import { contextOf, examples } from '../context.js';
import { progressPrinter } from './up.js';

function count(option: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw badInput(`${option}: ${JSON.stringify(value)} is not a whole number from ${min} to ${max}`);
    return n;
  };
}

function modeList(value: string): SessionMode[] {
  const modes = value.split(',').map((m) => m.trim());
  const wrong = modes.filter((m) => !(SESSION_MODES as readonly string[]).includes(m));
  if (wrong.length > 0 || modes.length === 0) throw badInput(`--modes: ${wrong.map((m) => JSON.stringify(m)).join(', ') || '""'} is not one of ${SESSION_MODES.join(', ')}`);
  if (new Set(modes).size !== modes.length) throw badInput(`--modes: ${JSON.stringify(value)} names a mode twice`);
  return modes as SessionMode[];
}

export function register(program: Command): void {
  const drill = program.command('drill').description('run a scripted client against the live cluster, break it on purpose, put it back');
  drill
    .command('sessions')
    .description(
      'for each session mode: set a color, read it back, kill the node the client is on, read again; ' +
        'then restore the cluster and show which mode kept the color, and at what cost',
    )
    .option('--reads <n>', 'reads before the kill', count('--reads', 1, 10_000), 100)
    .option('--reads-after <n>', 'reads after the kill', count('--reads-after', 1, 10_000), 20)
    .option('--modes <list>', `session modes to drill, in order (comma-separated)`, modeList, [...SESSION_MODES])
    .addHelpText(
      'after',
      examples('hactl drill sessions', 'hactl drill sessions --reads 300', 'hactl drill sessions --modes sticky,db', 'hactl drill sessions --json | jq \'.[] | {mode, db_writes_per_request}\'') +
        '\nThe columns are explained in docs/sessions.md. Exit 0 when the drill ran: its results are facts, not a pass or a fail.\n',
    )
    .action(async (opts: { reads: number; readsAfter: number; modes: SessionMode[] }, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      const progress = progressPrinter(out);
      const abort = new AbortController();
      const onInterrupt = () => {
        progress('drill', 'interrupted: putting the cluster back (Ctrl-C again to leave it as it is)');
        abort.abort();
      };
      // Once: a second Ctrl-C gets node's default and ends the process at once.
      process.once('SIGINT', onInterrupt);
      try {
        const { drillSessions } = await import('../../ops/drill.js');
        const report = await drillSessions(project, { runtime, reads: opts.reads, readsAfter: opts.readsAfter, modes: opts.modes, signal: abort.signal }, runner, progress);
        if (out.json) return out.printJson(report.modes);
        const { DRILL_HEAD, drillRow } = await import('../../drill/table.js');
        out.table(DRILL_HEAD, report.modes.map(drillRow));
        for (const r of report.modes.filter((m) => m.errors.length > 0)) out.print(`${out.color.yellow(`${r.mode}:`)} ${r.errors.join('; ')}`);
        out.print(`${out.color.green('✓')} cluster restored: session mode ${report.restored}, every node up (docs/sessions.md explains the columns)`);
      } finally {
        process.removeListener('SIGINT', onInterrupt);
      }
    });
}
