import type { Command } from 'commander';
import { badInput, EXIT, HactlError } from '../../errors.js';
import { conditionOf, type ClusterStatus, type Condition, type Health, type NodeStatusWord, type ReplicationSummary } from '../../status/model.js';
import { sleep } from '../../util/poll.js';
import { contextOf, examples } from '../context.js';
import type { Output } from '../output.js';

const EXIT_FOR: Record<Health, 0 | 1 | 3> = { healthy: EXIT.ok, degraded: EXIT.degraded, down: EXIT.failed };

function ago(seconds: number | null): string {
  if (seconds === null) return '';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  return `${Math.floor(seconds / 3600)}h`;
}

const NODE_COLOR: Record<Condition, 'green' | 'yellow' | 'red'> = { up: 'green', failing: 'yellow', drain: 'yellow', maint: 'yellow', unknown: 'yellow', down: 'red', stopped: 'red' };

function paint(out: Output, status: NodeStatusWord): string {
  return out.color[NODE_COLOR[conditionOf(status)]](status);
}

function paintReplication(out: Output, summary: ReplicationSummary): string {
  if (summary === 'Synced') return out.color.green(summary);
  return summary === 'unreachable' || summary.startsWith('Broken') ? out.color.red(summary) : out.color.yellow(summary);
}

export function printStatus(out: Output, s: ClusterStatus): void {
  const health = s.health === 'healthy' ? out.color.green(s.health) : s.health === 'degraded' ? out.color.yellow(s.health) : out.color.red(s.health);
  out.print(`cluster ${s.cluster} (${s.runtime}): ${health}    site ${s.endpoints.http}  stats ${s.endpoints.stats}  DB ${s.endpoints.db}`);
  out.table(
    ['web', 'address', 'status', 'last check', 'since', 'sessions', 'weight'],
    s.nodes.flatMap((n) =>
      n.type === 'web' ? [[n.name, `${n.address}:${n.port}`, paint(out, n.status), n.check, ago(n.since_change_s), n.sessions ?? '', n.weight ?? '']] : [],
    ),
  );
  out.table(
    ['db', 'address', 'lb-db role', 'lb-db status', 'replication', 'links (IO/SQL, behind)'],
    s.nodes.flatMap((n) =>
      n.type === 'db'
        ? [[
            n.name,
            `${n.address}:${n.port}`,
            n.role,
            `${paint(out, n.status)} ${n.check}`.trim(),
            paintReplication(out, n.replication_summary),
            n.replication.map((l) => `${l.from}: ${l.io_running}/${l.sql_running}, ${l.seconds_behind ?? '-'} s`).join('\n'),
          ]]
        : [],
    ),
  );
  const stopped = s.balancers.filter((b) => b.process !== 'running').map((b) => b.name);
  if (stopped.length) out.print(out.color.red(`not running: ${stopped.join(', ')}`));
}

export function register(program: Command): void {
  program
    .command('status')
    .description('the live state of every node: balancer view, checks, replication; exit 0 healthy, 3 degraded but serving, 1 not serving')
    .option('--watch [seconds]', 'redraw every N seconds (default 2) until Ctrl-C')
    .addHelpText('after', examples('hactl status', 'hactl status --watch', 'hactl status --json | jq \'.nodes[] | select(.status != "UP")\''))
    .action(async (opts: { watch?: string | boolean }, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      const interval = opts.watch === undefined ? undefined : opts.watch === true ? 2 : Number(opts.watch);
      if (interval !== undefined && !(interval >= 0.2 && interval <= 3600)) throw badInput(`--watch: ${String(opts.watch)} is not a number of seconds from 0.2 to 3600`);
      const { clusterStatus } = await import('../../ops/status.js');
      for (;;) {
        const s = await clusterStatus(project, { runtime }, runner);
        if (interval !== undefined && process.stdout.isTTY && !out.json) process.stdout.write('\x1b[H\x1b[2J');
        if (out.json) out.printJson(s);
        else printStatus(out, s);
        if (interval === undefined) {
          if (s.health !== 'healthy') throw HactlError.quiet(EXIT_FOR[s.health]);
          return;
        }
        await sleep(interval * 1000);
      }
    });
}
