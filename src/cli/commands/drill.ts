import type { Command } from 'commander';
import { badInput } from '../../errors.js';
import { SESSION_MODES, type SessionMode } from '../../spec/model.js';
import { contextOf, examples } from '../context.js';
import { progressPrinter } from './up.js';
import type { Progress } from '../../util/progress.js';

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

/**
 * Run a drill with Ctrl-C turned into SIGNAL: the drill stops at its next
 * step and puts the cluster back. Once: a second Ctrl-C gets node's
 * default and ends the process at once.
 */
async function untilInterrupted(progress: Progress, drill: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const abort = new AbortController();
  const onInterrupt = () => {
    progress('drill', 'interrupted: putting the cluster back (Ctrl-C again to leave it as it is)');
    abort.abort();
  };
  process.once('SIGINT', onInterrupt);
  try {
    await drill(abort.signal);
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
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
    .option('--modes <list>', `session modes to drill, in order (comma-separated; default: every mode the cluster has a store for, of ${SESSION_MODES.join(', ')})`, modeList)
    .addHelpText(
      'after',
      examples('hactl drill sessions', 'hactl drill sessions --reads 300', 'hactl drill sessions --modes sticky,db', 'hactl drill sessions --json | jq \'.[] | {mode, db_writes_per_request}\'') +
        '\nThe columns are explained in docs/sessions.md. Exit 0 when the drill ran: its results are facts, not a pass or a fail.\n',
    )
    .action(async (opts: { reads: number; readsAfter: number; modes?: SessionMode[] }, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      const progress = progressPrinter(out);
      await untilInterrupted(progress, async (signal) => {
        const { drillSessions } = await import('../../ops/drill.js');
        const report = await drillSessions(project, { runtime, reads: opts.reads, readsAfter: opts.readsAfter, modes: opts.modes, signal }, runner, progress);
        if (out.json) return out.printJson(report.modes);
        const { DRILL_HEAD, drillRow } = await import('../../drill/table.js');
        out.table(DRILL_HEAD, report.modes.map(drillRow));
        for (const r of report.modes.filter((m) => m.errors.length > 0)) out.print(`${out.color.yellow(`${r.mode}:`)} ${r.errors.join('; ')}`);
        out.print(`${out.color.green('✓')} cluster restored: session mode ${report.restored}, every node up (docs/sessions.md explains the columns)`);
      });
    });

  drill
    .command('db')
    .description(
      'under steady writes through lb-db, kill -9 the active master; bring it back and time its catch-up; switch the writes back; ' +
        'print the write outage, failed and lost writes, whether two masters took writes at once, and whether every master ends identical',
    )
    .option('--hold-behind <ms>', "hold the old master's replay back this long once it is back (the drill's table locked on it), writes going on", count('--hold-behind', 0, 60_000), 0)
    .addHelpText('after', examples('hactl drill db', 'hactl drill db --hold-behind 3000', 'hactl drill db --json | jq .write_outage_ms') + '\nExit 0 when the drill ran (its figures are facts), 1 when it could not; docs/operations.md explains each figure.\n')
    .action(async (opts: { holdBehind: number }, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      const progress = progressPrinter(out);
      await untilInterrupted(progress, async (signal) => {
        const { drillDb } = await import('../../ops/drill-db.js');
        const r = await drillDb(project, { runtime, holdBehindMs: opts.holdBehind, signal }, runner, progress);
        if (out.json) return out.printJson(r);
        const yes = (b: boolean) => (b ? 'yes' : 'no');
        out.table(
          ['figure', 'value'],
          [
            ['killed (the active master)', r.killed],
            ['took the writes', r.took_over ?? '-'],
            ['write outage', `${r.write_outage_ms} ms`],
            ['failed writes (kill)', r.failed_writes],
            ['acknowledged writes', r.acknowledged_writes],
            ['lost acknowledged writes', r.lost_writes],
            ['two masters took writes at once', yes(r.two_masters_at_once)],
            ['writers, in order', r.writers.join(' → ')],
            [`${r.killed} caught up after`, r.catch_up_ms === null ? '-' : `${r.catch_up_ms} ms${r.held_behind_ms ? ` (held behind ${r.held_behind_ms} ms)` : ''}`],
            [`writes ${r.killed} took before it caught up`, r.writes_before_caught_up],
            ['switchover back: pause', r.switchover ? `${r.switchover.pause_ms} ms; clients ${r.switchover.client_gap_ms} ms without a write (${r.switchover.failed_writes} failed, ${r.switchover.lost_writes} lost)` : `- (failback: ${r.failback})`],
            ['every master identical (checksums)', yes(r.identical)],
          ],
        );
        out.print(`${out.color.green('✓')} cluster restored: every node up, ${r.killed} the active master (docs/operations.md explains the figures)`);
      });
    });
}
