import type { Command } from 'commander';
import { badInput } from '../../errors.js';
import { contextOf, examples } from '../context.js';
import { localDateTime } from '../local-time.js';
import type { Output } from '../output.js';

/** A version number as typed: a whole number from 1. */
function versionArg(what: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,8}$/.test(value)) throw badInput(`${what}: ${JSON.stringify(value)} is not a version number (hactl history lists them)`);
  return Number(value);
}

/** A unified diff, coloured on a terminal: removed lines red, added green, hunk heads dim. */
function printDiff(out: Output, diff: string): void {
  for (const line of diff.replace(/\n$/, '').split('\n')) {
    if (line.startsWith('+') && !line.startsWith('+++')) out.print(out.color.green(line));
    else if (line.startsWith('-') && !line.startsWith('---')) out.print(out.color.red(line));
    else if (line.startsWith('@@')) out.print(out.color.dim(line));
    else out.print(line);
  }
}

export function register(program: Command): void {
  program
    .command('history')
    .description('every apply hactl recorded (up, reload, a live change): who, what, when, how it ended; the running version is marked')
    .addHelpText('after', examples('hactl history', "hactl history --json | jq '.[-1]'"))
    .action(async (_opts, command: Command) => {
      const { project, out } = await contextOf(command);
      const { listHistory } = await import('../../ops/history.js');
      const rows = listHistory(project);
      if (out.json) return out.printJson(rows);
      if (rows.length === 0) return out.print('no history yet: every up, reload or live change records a version');
      out.table(
        ['version', 'at', 'user', 'command', 'result', 'steps'],
        rows.map((r) => [
          `${r.version}${r.running ? ' (running)' : ''}`,
          r.at === '' ? '' : localDateTime(new Date(r.at)),
          r.user,
          r.command,
          r.result === 'applied' ? out.color.green('applied') : r.result === 'failed' ? out.color.red(`failed: ${r.error ?? ''}`) : out.color.yellow(`damaged: ${r.error ?? ''}`),
          String(r.steps),
        ]),
      );
    });

  program
    .command('diff')
    .description('cluster.yaml and every rendered config of one version against another, as unified diffs; by default the running version against cluster.yaml now (what up would change)')
    .argument('[a]', 'a version (default: the running one)')
    .argument('[b]', 'another version (default: cluster.yaml as it is now)')
    .option('--on-disk', 'against the rendered files as they are on disk (hand edits included) instead of cluster.yaml now')
    .addHelpText('after', examples('hactl diff', 'hactl diff 3', 'hactl diff 3 5', 'hactl diff --on-disk', 'hactl diff --json | jq -r \'.files[] | select(.diff != "") | .path\''))
    .action(async (a: string | undefined, b: string | undefined, opts: { onDisk?: boolean }, command: Command) => {
      const [from, to] = [versionArg('diff', a), versionArg('diff', b)];
      if (opts.onDisk && to !== undefined) throw badInput('diff: --on-disk compares one version with what is on disk; give at most one version');
      const { project, out, runner, runtime } = await contextOf(command);
      const { diffVersions } = await import('../../ops/history.js');
      const r = await diffVersions(project, from, to ?? (opts.onDisk ? 'disk' : 'now'), { runtime }, runner);
      if (out.json) return out.printJson(r);
      const changed = r.files.filter((f) => f.diff !== '');
      if (changed.length === 0) return out.print(`no difference between ${r.from} and ${r.to}`);
      for (const f of changed) printDiff(out, f.diff);
      out.print(`${changed.length} file${changed.length === 1 ? '' : 's'} differ between ${r.from} and ${r.to}`);
    });
}
