import type { Command } from 'commander';
import type { ClusterEvent } from '../../events/log.js';
import { wholeNumber } from '../../util/whole-number.js';
import { contextOf, examples } from '../context.js';
import { localDateTime } from '../local-time.js';
import type { Output } from '../output.js';

export function register(program: Command): void {
  program
    .command('events')
    .description("the event log (.hactl/events.jsonl): every operation applied or failed, and every change of state the dashboard saw (a node DOWN and UP again, lb-db's writer moving, replication broken)")
    .option('-n, --lines <n>', 'how many of the last events', '50')
    .option('-f, --follow', 'keep printing new events until Ctrl-C')
    .addHelpText('after', examples('hactl events', 'hactl events -f', 'hactl events --json | jq \'.[] | select(.type == "state")\''))
    .action(async (opts: { lines: string; follow?: boolean }, command: Command) => {
      const { project, out } = await contextOf(command);
      const lines = wholeNumber('--lines', opts.lines, 0, 1_000_000);
      const { eventsFile, parseEvents, readEvents } = await import('../../events/log.js');
      const shown = lines === 0 ? [] : readEvents(project.stateDir, lines);
      // Followed, --json is a JSON object a line, as the log itself: an array never ends.
      const print = (events: readonly ClusterEvent[]) => {
        for (const e of events) out.print(out.json ? JSON.stringify(e) : eventLine(out, e));
      };
      if (!opts.follow) {
        if (out.json) return out.printJson(shown);
        if (shown.length === 0) return out.print('no events yet: operations add them, and a running dashboard adds what it sees change');
        return print(shown);
      }
      print(shown);
      const { followLog, markLog } = await import('../../util/log-file.js');
      const abort = new AbortController();
      process.once('SIGINT', () => abort.abort());
      let partial = '';
      await followLog(eventsFile(project.stateDir), markLog(eventsFile(project.stateDir)), (chunk) => {
        const text = partial + chunk;
        const end = text.lastIndexOf('\n') + 1;
        partial = text.slice(end);
        print(parseEvents(text.slice(0, end)));
      }, abort.signal);
    });
}

/** One event as a person reads it: when, then what. */
function eventLine(out: Output, e: ClusterEvent): string {
  const when = localDateTime(new Date(e.at));
  if (e.type === 'state') {
    const to = ['down', 'stopped', 'broken', 'degraded', 'expiring'].includes(e.to) ? out.color.red(e.to) : e.to === 'up' || e.to === 'healthy' || e.to === 'replicating' ? out.color.green(e.to) : e.to;
    return `${when}  ${e.subject}: ${e.from} → ${to}`;
  }
  const result = e.result === 'applied' ? out.color.green(`applied${e.version ? `, version ${e.version}` : ''}`) : out.color.red(`failed at ${e.step ?? '?'}: ${e.error ?? ''}`);
  return `${when}  ${e.command} (${e.user}): ${result}`;
}
