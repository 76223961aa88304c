import type { Command } from 'commander';
import type { ProcessRow } from '../../status/processes.js';
import { contextOf, examples } from '../context.js';
import { wrap } from '../fit.js';
import { localDateTime } from '../local-time.js';
import type { Output } from '../output.js';

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
      r.started_at === null ? '' : localDateTime(new Date(r.started_at)),
      r.kill ?? '',
    ]),
  );
  const how = compose
    ? 'docker kill stops a container at once (SIGKILL), as a crash would; hactl up (or hactl start NODE) starts it again.'
    : "kill -9 -PGID kills the whole process group at once (a web node's Apache children and HAProxy's worker too), as a crash would; hactl up (or hactl start NODE) starts it again.";
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
