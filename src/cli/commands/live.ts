import type { Command } from 'commander';
import { badInput } from '../../errors.js';
import { wholeNumberOption } from '../../util/whole-number.js';
import { ENGINES, SESSION_MODES, type Engine, type NodeState, type SessionMode } from '../../spec/model.js';
import { contextOf, examples } from '../context.js';
import type { Output } from '../output.js';
import type { WebStateResult } from '../../ops/web-ops.js';
import type { Action } from '../../plan/action.js';
import type { DryRun } from '../../ops/change.js';
import { progressPrinter } from './up.js';

/** The live operations: each a thin front for one function in src/ops that the dashboard calls too. */

function done(out: Output, value: object, line: string): void {
  if (out.json) out.printJson(value);
  else out.print(`${out.color.green('✓')} ${line}`);
}

/** The answer of an operation run with dryRun (a type-only test: the ops load lazily). */
function isDryRun(r: object): r is DryRun {
  return 'dry_run' in r && r.dry_run === true;
}

/** A live change's --dry-run: its plan, for people or (--json) scripts; nothing was changed. */
async function dryRun(out: Output, what: string, actions: Action[]): Promise<void> {
  const { printDryRun } = await import('../plan-table.js');
  printDryRun(out, { actions }, `dry run of hactl ${what} (nothing was changed):`, 'nothing to do');
}

/** drain/enable/disable/weight: done, or with --dry-run the plan that would run. */
async function settled(out: Output, r: WebStateResult, line: string): Promise<void> {
  if (!r.dry_run) return done(out, r, `${line}${r.applied ? '' : ' in cluster.yaml (lb-web is not running; applies at the next up)'}`);
  const { printDryRun } = await import('../plan-table.js');
  printDryRun(
    out,
    r,
    `dry run: cluster.yaml would say ${r.node}: state ${r.state}, weight ${r.weight}; nothing was changed`,
    r.applied ? 'lb-web already runs this: no command to send' : 'lb-web is not running: only cluster.yaml would change (applied at the next up)',
  );
}

const STATE_VERB: Record<string, NodeState> = { drain: 'drain', enable: 'ready', disable: 'maint' };
const STATE_WORDS: Record<NodeState, string> = { ready: 'in rotation', drain: 'draining (sticky visitors stay, no new ones)', maint: 'out of rotation (maintenance)' };
const STATE_HELP: Record<string, string> = {
  drain: 'stop sending new visitors to a web node; sticky visitors stay (runtime API, no reload)',
  enable: 'put a drained or disabled web node back into rotation (runtime API, no reload)',
  disable: 'take a web node out of rotation at once: maintenance (runtime API, no reload)',
};

export function register(program: Command): void {
  const add = program.command('add').description('add a node to the running cluster (recorded in cluster.yaml)');
  add
    .command('web')
    .description('start a web node, wait for its health check, then add it to lb-web with a hitless reload')
    .argument('<name>', 'e.g. web3 (its number picks the default address and cookie)')
    .option('--host <host>', 'its address (default from defaults.web.host)')
    .option('--port <port>', 'its port', wholeNumberOption('--port', 1, 65535))
    .option('--cookie <cookie>', 'its sticky cookie value (default S<n>)')
    .option('--weight <weight>', 'its share of new visitors, 0-256', wholeNumberOption('--weight', 0, 256))
    .option('--wait <seconds>', 'how long it may take to pass its health check before everything is rolled back', wholeNumberOption('--wait', 1, 3600), 30)
    .option('--dry-run', 'print the plan, change nothing')
    .addHelpText('after', examples('hactl add web web3', 'hactl add web web3 --cookie S3 --weight 50', 'hactl add web api1 --host 127.0.1.9 --port 8001', 'hactl add web web3 --dry-run'))
    .action(async (name: string, opts: { host?: string; port?: number; cookie?: string; weight?: number; wait: number; dryRun?: boolean }, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      const { addWeb } = await import('../../ops/web-ops.js');
      // Picked one by one: opts also holds the global options (--json, --file…).
      const node = { name, host: opts.host, port: opts.port, cookie: opts.cookie, weight: opts.weight };
      const r = await addWeb(project, node, { runtime, waitS: opts.wait, dryRun: opts.dryRun }, runner, progressPrinter(out));
      if (isDryRun(r)) return dryRun(out, `add web ${name}`, r.actions);
      done(out, r, `added ${name} (${r.address}, cookie ${r.node.cookie}) to lb-web`);
    });
  add
    .command('db')
    .description('start a MariaDB master, clone it from a live one, connect it both ways, add it to lb-db once caught up')
    .argument('<name>', 'e.g. mysql3 (its number is its server id)')
    .option('--host <host>', 'its address (default from defaults.db.host)')
    .option('--port <port>', 'its port', wholeNumberOption('--port', 1, 65535))
    .option('--dry-run', 'print the plan, change nothing')
    .addHelpText('after', examples('hactl add db mysql3', 'hactl add db mysql3 --host 127.0.2.3 --port 3306', 'hactl add db mysql3 --dry-run'))
    .action(async (name: string, opts: { host?: string; port?: number; dryRun?: boolean }, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      const { addDb } = await import('../../ops/db-ops.js');
      const r = await addDb(project, { name, host: opts.host, port: opts.port }, { runtime, dryRun: opts.dryRun }, runner, progressPrinter(out));
      if (isDryRun(r)) return dryRun(out, `add db ${name}`, r.actions);
      done(out, r, `${name} (${r.address}, id ${r.node.id}) joined the masters and lb-db as a backup`);
    });

  const STORE_HELP = {
    memcached: {
      add: 'start a memcached node for the sessions, then give the web nodes the new list (no restart)',
      remove: 'the web nodes stop using a memcached node, then it stops (each session keeps its copy on another node)',
      example: 'mc3',
    },
    redis: {
      add: "start a Redis node as a replica of the primary, then lb-db checks it too (the Sentinels find it through the primary)",
      remove: 'lb-db stops using a Redis node (a replica takes over first if it is the primary), then it stops and the Sentinels forget it',
      example: 'redis3',
    },
  } as const;
  for (const tier of ['memcached', 'redis'] as const) {
    const help = STORE_HELP[tier];
    add
      .command(tier)
      .description(help.add)
      .argument('<name>', `e.g. ${help.example} (its number picks the default address)`)
      .option('--host <host>', `its address (default from defaults.${tier}.host)`)
      .option('--port <port>', 'its port', wholeNumberOption('--port', 1, 65535))
      .option('--dry-run', 'print the plan, change nothing')
      .addHelpText('after', examples(`hactl add ${tier} ${help.example}`, `hactl add ${tier} ${help.example} --dry-run`))
      .action(async (name: string, opts: { host?: string; port?: number; dryRun?: boolean }, command: Command) => {
        const { project, out, runner, runtime } = await contextOf(command);
        const { addStore } = await import('../../ops/store-ops.js');
        const r = await addStore(project, tier, { name, host: opts.host, port: opts.port }, { runtime, dryRun: opts.dryRun }, runner, progressPrinter(out));
        if (isDryRun(r)) return dryRun(out, `add ${tier} ${name}`, r.actions);
        done(out, r, `added ${name} (${r.address}) to the session store`);
      });
  }

  const remove = program.command('remove').description('take a node out of the running cluster (recorded in cluster.yaml)');
  remove
    .command('web')
    .description('drain a web node, wait for its sessions to end, take it out of lb-web and stop it')
    .argument('<name>')
    .option('--timeout <seconds>', 'longest wait for its sessions to end', wholeNumberOption('--timeout', 0, 86400), 30)
    .option('--dry-run', 'print the plan, change nothing')
    .addHelpText('after', examples('hactl remove web web3', 'hactl remove web web3 --timeout 5', 'hactl remove web web3 --dry-run'))
    .action(async (name: string, opts: { timeout: number; dryRun?: boolean }, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      const { removeWeb } = await import('../../ops/web-ops.js');
      const r = await removeWeb(project, name, { runtime, timeoutS: opts.timeout, dryRun: opts.dryRun }, runner, progressPrinter(out));
      if (isDryRun(r)) return dryRun(out, `remove web ${name}`, r.actions);
      done(out, r, `removed ${name} after ${r.waited_s} s${r.drained ? '' : ' (some sessions were still open at the timeout)'}`);
    });
  remove
    .command('db')
    .description('take a master out of lb-db and of replication, then stop it (its data stays until hactl clean)')
    .argument('<name>')
    .option('--force', 'also remove the active master (moving the role to the next one first)')
    .option('--dry-run', 'print the plan, change nothing')
    .addHelpText('after', examples('hactl remove db mysql3', 'hactl remove db mysql1 --force', 'hactl remove db mysql3 --dry-run'))
    .action(async (name: string, opts: { force?: boolean; dryRun?: boolean }, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      const { removeDb } = await import('../../ops/db-ops.js');
      const r = await removeDb(project, name, { runtime, force: opts.force === true, dryRun: opts.dryRun }, runner, progressPrinter(out));
      if (isDryRun(r)) return dryRun(out, `remove db ${name}`, r.actions);
      done(out, r, `removed ${name}${r.moved_active ? `; ${r.active} is now the active master` : ''}`);
    });

  for (const tier of ['memcached', 'redis'] as const) {
    const help = STORE_HELP[tier];
    remove
      .command(tier)
      .description(help.remove)
      .argument('<name>')
      .option('--dry-run', 'print the plan, change nothing')
      .addHelpText('after', examples(`hactl remove ${tier} ${help.example}`, `hactl remove ${tier} ${help.example} --dry-run`))
      .action(async (name: string, opts: { dryRun?: boolean }, command: Command) => {
        const { project, out, runner, runtime } = await contextOf(command);
        const { removeStore } = await import('../../ops/store-ops.js');
        const r = await removeStore(project, tier, name, { runtime, dryRun: opts.dryRun }, runner, progressPrinter(out));
        if (isDryRun(r)) return dryRun(out, `remove ${tier} ${name}`, r.actions);
        done(out, r, `removed ${name} from the session store`);
      });
  }

  program
    .command('switchover')
    .description("move lb-db's writes to another master: the writer turns read-only, NAME applies all it wrote, lb-db moves, NAME turns writable; prints the pause in writes")
    .argument('<name>', 'a DB node that is up and has caught up')
    .option('--dry-run', 'print the plan, change nothing')
    .addHelpText('after', examples('hactl switchover mysql2', 'hactl switchover mysql2 --dry-run', 'hactl switchover mysql2 --json'))
    .action(async (name: string, opts: { dryRun?: boolean }, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      const { switchover } = await import('../../ops/db-ops.js');
      const r = await switchover(project, name, { runtime, dryRun: opts.dryRun }, runner, progressPrinter(out));
      if (isDryRun(r)) return dryRun(out, `switchover ${name}`, r.actions);
      done(out, r, r.moved ? `${name} is the active master${r.from ? ` (was ${r.from})` : ''}; writes paused ${r.pause_ms} ms` : `${name} already is the active master: nothing to do`);
    });

  const db = program.command('db').description('the DB tier: its masters and their replication');
  db.command('resync')
    .description('rebuild a backup master from the active one while the cluster serves (a diverged or stale node): its copy dropped, the clone add db makes, replication again')
    .argument('<name>', 'a backup DB node')
    .addHelpText('after', examples('hactl db resync mysql2', 'hactl db resync mysql2 --json'))
    .action(async (name: string, _opts: object, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      const { resyncDb } = await import('../../ops/db-ops.js');
      const r = await resyncDb(project, name, { runtime }, runner, progressPrinter(out));
      done(out, r, `${name} rebuilt from ${r.from} (at ${r.position || 'its start'}) and replicating again, in ${(r.took_ms / 1000).toFixed(1)} s`);
    });

  for (const verb of Object.keys(STATE_VERB)) {
    program
      .command(verb)
      .description(STATE_HELP[verb]!)
      .argument('<name>', 'a web node')
      .option('--dry-run', 'print what lb-web would be told, change nothing')
      .addHelpText('after', examples(`hactl ${verb} web1`, `hactl ${verb} web1 --dry-run`))
      .action(async (name: string, opts: { dryRun?: boolean }, command: Command) => {
        const { project, out, runner, runtime } = await contextOf(command);
        const { setWeb } = await import('../../ops/web-ops.js');
        const r = await setWeb(project, name, { state: STATE_VERB[verb]! }, { runtime, dryRun: opts.dryRun === true }, runner, progressPrinter(out));
        await settled(out, r, `${name} is ${STATE_WORDS[r.state]}`);
      });
  }
  program
    .command('weight')
    .description("set a web node's share of new visitors (runtime API, no reload)")
    .argument('<name>', 'a web node')
    .argument('<weight>', '0-256', wholeNumberOption('weight', 0, 256))
    .option('--dry-run', 'print what lb-web would be told, change nothing')
    .addHelpText('after', examples('hactl weight web1 50', 'hactl weight web1 50 --dry-run'))
    .action(async (name: string, weight: number, opts: { dryRun?: boolean }, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      const { setWeb } = await import('../../ops/web-ops.js');
      const r = await setWeb(project, name, { weight }, { runtime, dryRun: opts.dryRun === true }, runner, progressPrinter(out));
      await settled(out, r, `${name} has weight ${r.weight}`);
    });

  program
    .command('session-mode')
    .description("switch lb-web's persistence and the app's session handler together, with no restart")
    .argument('<mode>', `one of ${SESSION_MODES.join(', ')}`)
    .option('--dry-run', 'print the plan, change nothing')
    .addHelpText('after', examples('hactl session-mode db', 'hactl session-mode sticky', 'hactl session-mode db --dry-run'))
    .action(async (mode: string, opts: { dryRun?: boolean }, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      if (!(SESSION_MODES as readonly string[]).includes(mode)) throw badInput(`session mode: ${JSON.stringify(mode)} is not one of ${SESSION_MODES.join(', ')}`);
      const { switchSessionMode } = await import('../../ops/web-ops.js');
      const r = await switchSessionMode(project, mode as SessionMode, { runtime, dryRun: opts.dryRun }, runner, progressPrinter(out));
      if (isDryRun(r)) return dryRun(out, `session-mode ${mode}`, r.actions);
      done(out, r, r.previous === r.mode ? `session mode was already ${r.mode}` : `session mode ${r.previous} → ${r.mode}`);
    });

  program
    .command('engine')
    .description("switch lb-web's engine (HAProxy or Apache mod_proxy_balancer): lb-web restarts, and the gap is printed")
    .argument('<engine>', `one of ${ENGINES.join(', ')}`)
    .option('--dry-run', 'print the plan, change nothing')
    .addHelpText('after', examples('hactl engine apache', 'hactl engine haproxy --dry-run'))
    .action(async (engine: string, opts: { dryRun?: boolean }, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      if (!(ENGINES as readonly string[]).includes(engine)) throw badInput(`engine: ${JSON.stringify(engine)} is not one of ${ENGINES.join(', ')}`);
      const { changeBalancer } = await import('../../ops/balancer-ops.js');
      const r = await changeBalancer(project, { engine: engine as Engine }, { runtime, dryRun: opts.dryRun }, runner, progressPrinter(out));
      if (isDryRun(r)) return dryRun(out, `engine ${engine}`, r.actions);
      const gap = r.outages?.find((o) => o.process === 'lb-web');
      done(out, r, gap ? `lb-web runs on ${engine}; the site did not answer for ${(gap.ms / 1000).toFixed(2)} s while it switched` : `lb-web runs on ${engine}`);
    });

  program
    .command('trace')
    .description("the apache engine's proxy trace log in lb-web's log (hactl logs lb-web), on or off, with a graceful restart")
    .argument('<on|off>')
    .option('--dry-run', 'print the plan, change nothing')
    .addHelpText('after', examples('hactl trace on', 'hactl logs lb-web -f', 'hactl trace off'))
    .action(async (state: string, opts: { dryRun?: boolean }, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      if (state !== 'on' && state !== 'off') throw badInput(`trace: ${JSON.stringify(state)} is not on or off`);
      const { changeBalancer } = await import('../../ops/balancer-ops.js');
      const r = await changeBalancer(project, { trace: state === 'on' }, { runtime, dryRun: opts.dryRun }, runner, progressPrinter(out));
      if (isDryRun(r)) return dryRun(out, `trace ${state}`, r.actions);
      done(out, r, state === 'on' ? "lb-web's proxy trace is on (hactl logs lb-web); hactl trace off ends it" : "lb-web's proxy trace is off");
    });

  program
    .command('reload')
    .description('validate, check (haproxy -c) and reload both balancers without dropping a connection')
    .option('--dry-run', 'print the plan, change nothing')
    .addHelpText('after', examples('hactl reload', 'hactl reload --json', 'hactl reload --dry-run'))
    .action(async (opts: { dryRun?: boolean }, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      if (opts.dryRun) {
        const { planProject } = await import('../../ops/up.js');
        return dryRun(out, 'reload', (await planProject(project, { runtime, reloadBalancers: true }, runner, progressPrinter(out))).actions);
      }
      const { reloadBalancers } = await import('../../ops/reload.js');
      const r = await reloadBalancers(project, { runtime }, runner, progressPrinter(out));
      done(out, r, `reloaded ${r.reloaded.join(', ') || 'nothing (no balancer is running)'}${r.started.length ? `; started ${r.started.join(', ')}` : ''}`);
    });

  program
    .command('clean')
    .description('remove the configs, data and logs of nodes that are no longer in cluster.yaml')
    .option('--dry-run', 'only list what would be removed')
    .addHelpText('after', examples('hactl clean --dry-run', 'hactl clean'))
    .action(async (opts: { dryRun?: boolean }, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      const { clean } = await import('../../ops/clean.js');
      const r = await clean(project, { runtime, dryRun: opts.dryRun === true }, runner, progressPrinter(out));
      if (out.json) return out.printJson(r.dryRun ? { dry_run: true, ...r } : r);
      // One remove-leftover action per node: its lines are the plan, paths in full.
      if (r.removed.length === 0) out.print(`${out.color.green('✓')} nothing to clean`);
      for (const l of r.removed) out.print(`${r.dryRun ? 'would remove' : 'removed'} ${l.name}: ${l.paths.join(', ')}`);
      for (const l of r.skipped) out.print(`${out.color.yellow('kept')} ${l.name}: still running (stop it, or add it back to cluster.yaml)`);
    });

  program
    .command('rollback')
    .description('apply an earlier version again (hactl history lists them; by default the applied one before the running one) through the normal plan: nodes it does not have are drained and stopped, hitless; recorded as a new version')
    .argument('[version]', 'the version to go back to')
    .option('--timeout <seconds>', "longest wait for a leaving web node's sessions to end", wholeNumberOption('--timeout', 0, 86400), 30)
    .option('--dry-run', 'print the plan, change nothing')
    .addHelpText('after', examples('hactl rollback', 'hactl rollback 12', 'hactl rollback 12 --dry-run'))
    .action(async (version: string | undefined, opts: { timeout: number; dryRun?: boolean }, command: Command) => {
      if (version !== undefined && !/^[1-9]\d{0,8}$/.test(version)) throw badInput(`rollback: ${JSON.stringify(version)} is not a version number (hactl history lists them)`);
      const { project, out, runner, runtime } = await contextOf(command);
      const { rollback } = await import('../../ops/history.js');
      const r = await rollback(project, version === undefined ? undefined : Number(version), { runtime, timeoutS: opts.timeout, dryRun: opts.dryRun }, runner, progressPrinter(out));
      if (isDryRun(r)) return dryRun(out, `rollback ${r.version}`, r.actions);
      done(out, r, `cluster.yaml is version ${r.version} again, and runs as it says`);
    });
}
