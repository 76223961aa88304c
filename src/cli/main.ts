import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { PACKAGE_ROOT } from '../paths.js';
import { EXIT, HactlError } from '../errors.js';
import { RUNTIMES } from '../spec/model.js';
import { register as registerCert } from './commands/cert.js';
import { register as registerConfig } from './commands/config.js';
import { register as registerDashboard } from './commands/dashboard.js';
import { register as registerDrill } from './commands/drill.js';
import { register as registerHistory } from './commands/history.js';
import { register as registerEvents } from './commands/events.js';
import { register as registerInit } from './commands/init.js';
import { register as registerLive } from './commands/live.js';
import { register as registerNodes } from './commands/nodes.js';
import { register as registerPs } from './commands/ps.js';
import { register as registerRender } from './commands/render.js';
import { register as registerStatus } from './commands/status.js';
import { register as registerUp } from './commands/up.js';
import { register as registerValidate } from './commands/validate.js';
import { examples } from './context.js';

/**
 * The global options, accepted before the command and after it. Declared on
 * each command too (with positional options on), so that a command may use
 * -f for itself: `hactl logs web1 -f` follows, `hactl -f x.yaml logs web1`
 * reads x.yaml. Only the program's own declaration has defaults.
 */
function addGlobalOptions(cmd: Command, defaults: boolean): Command {
  const file = new Option(cmd.options.some((o) => o.short === '-f') ? '--file <path>' : '-f, --file <path>', 'cluster file');
  if (defaults) file.default(process.env.HACTL_FILE ?? 'cluster.yaml');
  return cmd
    .addOption(file)
    .option('--json', 'machine-readable output')
    .addOption(new Option('--runtime <runtime>', 'override runtime: in cluster.yaml').choices(RUNTIMES.filter((r) => r !== 'auto')));
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

export function buildProgram(): Command {
  const program = addGlobalOptions(new Command('hactl'), true)
    .description('Run a load-balanced PHP site (HAProxy, MariaDB master-master, sticky or DB sessions) from one cluster.yaml')
    .version(packageVersion(), '-V, --version', "hactl's version")
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) })
    .addHelpText('after', examples('hactl init', 'hactl validate', 'hactl render --runtime local', 'hactl config --json'));
  for (const register of [registerInit, registerValidate, registerRender, registerConfig, registerUp, registerStatus, registerPs, registerNodes, registerLive, registerDrill, registerCert, registerHistory, registerEvents, registerDashboard]) register(program);
  const all = (c: Command): Command[] => c.commands.flatMap((sub) => [sub, ...all(sub)]);
  for (const c of all(program)) addGlobalOptions(c, false).exitOverride();
  return program;
}

/** Runs the CLI and gives the exit code; the one place errors become output. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has printed its message (or the help) already.
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? EXIT.ok : EXIT.badInput;
    }
    const { createOutput } = await import('./output.js');
    const out = await createOutput(json);
    if (err instanceof HactlError) {
      if (err.message !== '') {
        if (json) out.error(JSON.stringify({ error: { message: err.message, details: err.details, exit_code: err.exitCode } }));
        else {
          out.error(`${out.color.red('error:')} ${err.message}`);
          for (const d of err.details) out.error(`  ${d}`);
        }
      }
      return err.exitCode;
    }
    out.error(`${out.color.red('internal error:')} ${(err as Error).stack ?? String(err)}`);
    return EXIT.failed;
  }
}

// A reader that goes away (`hactl up | head -1`) must not abort the work
// halfway: output to a closed pipe is dropped, the command carries on.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

process.exitCode = await main(process.argv);
