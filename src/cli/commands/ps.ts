import type { Command } from 'commander';
import type { ProcessRow } from '../../status/processes.js';
import { contextOf, examples } from '../context.js';
import { wrap } from '../fit.js';
import type { Output } from '../output.js';

/** "2026-12-02 17:15:50", local time: what `ps` and `date` show beside it. */
function localTime(iso: string | null): string {
  if (iso === null) return '';
  const d = new Date(iso);
  const two = (v: number) => String(v).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

export function printProcesses(out: Output, rows: ProcessRow[]): void {
  const compose = rows.some((r) => r.runtime === 'compose');
  out.table(
    ['node', 'kind', 'runtime', compose ? 'container' : 'pid/pgid', 'running', 'started at', 'crash it with'],
    rows.map((r) => [
      r.name,
      r.kind,
      r.runtime,
      compose ? (r.container ?? '') : r.pid === null ? '' : `${r.pid}/${r.pgid}`,
      r.running ? out.color.green('yes') : out.color.red('no'),
      localTime(r.started_at),
      r.kill ?? '',
    ]),
  );
  const how = compose
    ? 'docker kill stops a container at once (SIGKILL), as a crash would; hactl up (or hactl start NODE) starts it again.'
    : "kill -9 -PGID kills the whole process group at once (php -S workers and HAProxy's worker too), as a crash would; hactl up (or hactl start NODE) starts it again.";
  for (const line of wrap(how, out.width)) out.print(line);
}

export function register(program: Command): void {
  program
    .command('ps')
    .description("every process of the cluster: its pid and process group (local) or container (compose), and the command that kills it as a crash would")
    .addHelpText('after', examples('hactl ps', "hactl ps --json | jq -r '.[] | select(.name == \"web1\") | .kill'"))
    .action(async (_opts, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      const { processList } = await import('../../ops/status.js');
      const rows = await processList(project, { runtime }, runner);
      if (out.json) out.printJson(rows);
      else printProcesses(out, rows);
    });
}
