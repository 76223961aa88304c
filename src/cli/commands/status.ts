import type { Command } from 'commander';
import { badInput, EXIT, HactlError } from '../../errors.js';
import { conditionOf, type ClusterStatus, type Condition, type DbNodeStatus, type Health, type NodeStatusWord, type ReplicationSummary, type TlsStatus, type WebNodeStatus } from '../../status/model.js';
import { sleep } from '../../util/poll.js';
import { contextOf, examples } from '../context.js';
import { visibleLength, wrap } from '../fit.js';
import { localClock } from '../local-time.js';
import type { Output } from '../output.js';
import { daysLeftText } from './cert.js';

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

/** The cluster line: the endpoints go on a line of their own when both do not fit in WIDTH. */
export function statusHeader(s: ClusterStatus, health: string, width: number | undefined): string[] {
  // HAProxy is the default engine: only the other one is named.
  const title = `cluster ${s.cluster} (${s.runtime}${s.engine === 'haproxy' ? '' : `, lb-web on ${s.engine}`}): ${health}`;
  const endpoints = `site ${s.endpoints.http}${s.endpoints.https ? `  ${s.endpoints.https}` : ''}  stats ${s.endpoints.stats}  DB ${s.endpoints.db}`;
  const one = `${title}    ${endpoints}`;
  return width === undefined || visibleLength(one) <= width ? [one] : [title, endpoints];
}

/** Under the status word, as on the dashboard: the balancer may not have seen it yet ("UP 1/2"), hactl has. */
function statusCell(out: Output, n: WebNodeStatus | DbNodeStatus, check = ''): string {
  const word = `${paint(out, n.status)} ${check}`.trim();
  return n.process === 'stopped' && n.status !== 'STOPPED' ? `${word}\n${out.color.red('process stopped')}` : word;
}

/** The replication links that do not run, each with MariaDB's whole error: the table has room for its start only. */
export function replicationDetails(s: ClusterStatus): string[] {
  return s.nodes.flatMap((n) =>
    n.type === 'db'
      ? n.replication
          .filter((l) => l.io_running !== 'Yes' || l.sql_running !== 'Yes' || l.last_error !== '')
          .map((l) => `${n.name} replicating from ${l.from}: IO ${l.io_running}, SQL ${l.sql_running}${l.last_error ? `: ${l.last_error}` : ''}`)
      : [],
  );
}

/** Characters of a replication summary the table shows at most; the rest is in the detail lines and --json. */
const REASON_WIDTH = 40;

const CERT_SOURCE: Record<TlsStatus['source'], string> = { own: "hactl's own CA", set: 'set by hactl cert set', file: 'tls.cert' };

export function printStatus(out: Output, s: ClusterStatus): void {
  const health = s.health === 'healthy' ? out.color.green(s.health) : s.health === 'degraded' ? out.color.yellow(s.health) : out.color.red(s.health);
  for (const line of statusHeader(s, health, out.width)) out.print(line);
  out.table(
    ['web', 'address', 'status', 'last check', 'since', 'sessions', 'weight'],
    s.nodes.flatMap((n) =>
      n.type === 'web' ? [[n.name, `${n.address}:${n.port}`, statusCell(out, n, n.flags ? out.color.dim(`(${n.flags})`) : ''), n.check, ago(n.since_change_s), n.sessions ?? '', n.weight ?? '']] : [],
    ),
    { shrink: [3, 2] },
  );
  out.table(
    ['db', 'address', 'role', 'lb-db', 'replication', 'IO/SQL, behind'],
    s.nodes.flatMap((n) =>
      n.type === 'db'
        ? [[
            n.name,
            `${n.address}:${n.port}`,
            // A backup that takes writes is what read_only is there to prevent: shown.
            n.role === 'backup' && n.read_only === false ? out.color.red('backup, writable') : n.role,
            // The status word is already in the cell: the agent's reason without it.
            statusCell(out, n, n.reason ? out.color.yellow(n.reason.replace(/^[A-Z]+: /, '')) : n.check),
            paintReplication(out, n.replication_summary),
            n.replication.map((l) => `${l.from}: ${l.io_running}/${l.sql_running}, ${l.seconds_behind ?? '-'} s`).join('\n'),
          ]]
        : [],
    ),
    { shrink: [4, 5, 3], cap: REASON_WIDTH },
  );
  if (s.stores.length > 0) {
    out.table(
      ['session store', 'address', 'status', 'role'],
      s.stores.map((n) => [`${n.name} (${n.store})`, `${n.address}:${n.port}`, paint(out, n.status), n.role ?? (n.store === 'sentinel' ? 'watches Redis' : '')]),
    );
  }
  for (const detail of replicationDetails(s)) for (const line of wrap(detail, out.width)) out.print(line);
  if (s.tls) out.print(`certificate: ${s.tls.names[0] ?? s.tls.subject}${s.tls.names.length > 1 ? ` (+${s.tls.names.length - 1} names)` : ''}, ${CERT_SOURCE[s.tls.source]}, ${daysLeftText(out, s.tls)}`);
  for (const line of driftLines(s.history)) out.print(out.color.yellow(line));
  for (const reason of s.health_reasons) for (const line of wrap(`${s.health}: ${reason}`, out.width)) out.print(s.health === 'down' ? out.color.red(line) : out.color.yellow(line));
}

const MARKS = ['|', '/', '-', '\\'];

/** --watch's first line: when this reading was taken, and a mark that turns at every refresh (a frozen screen shows). */
export function watchHeader(at: Date, refresh: number, intervalS: number): string {
  return `[${MARKS[refresh % MARKS.length]}] refresh ${refresh} at ${localClock(at)}, every ${intervalS} s (Ctrl-C to stop)`;
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
      // Each --watch reading starts a fresh screen with its header; --json output stays JSON documents only.
      const redraw = (refresh: number, seconds: number) => {
        if (out.json) return;
        if (process.stdout.isTTY) process.stdout.write('\x1b[H\x1b[2J');
        out.print(out.color.dim(watchHeader(new Date(), refresh, seconds)));
      };
      for (let refresh = 1; ; refresh++) {
        let s: Awaited<ReturnType<typeof clusterStatus>>;
        try {
          s = await clusterStatus(project, { runtime }, runner);
        } catch (err) {
          // A watch outlives a reading that fails (cluster.yaml saved half-edited, say): it says why and reads again.
          if (interval === undefined || refresh === 1 || !(err instanceof HactlError)) throw err;
          redraw(refresh, interval);
          out.error(`${out.color.red('error:')} ${err.message} (reading again in ${interval} s)`);
          await sleep(interval * 1000);
          continue;
        }
        if (interval !== undefined) redraw(refresh, interval);
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

/** What differs from the running version, and the way on from there. */
function driftLines(history: ClusterStatus['history']): string[] {
  if (!history) return [];
  const v = history.running_version;
  return [
    ...(history.cluster_yaml_changed ? [`cluster.yaml differs from the running version ${v}: hactl diff shows how, hactl up applies it`] : []),
    ...(history.files_changed.length > 0 ? [`changed on disk since version ${v} wrote them: ${history.files_changed.join(', ')} (hactl diff --on-disk shows how, hactl up writes them again)`] : []),
  ];
}
