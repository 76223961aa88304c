import { Command, CommanderError, Option } from 'commander';
import { EXIT, HactlError } from '../errors.js';
import { RUNTIMES } from '../spec/model.js';
import { register as registerConfig } from './commands/config.js';
import { register as registerInit } from './commands/init.js';
import { register as registerNodes } from './commands/nodes.js';
import { register as registerRender } from './commands/render.js';
import { register as registerStatus } from './commands/status.js';
import { register as registerUp } from './commands/up.js';
import { register as registerValidate } from './commands/validate.js';
import { examples } from './context.js';
import { createOutput } from './output.js';

export function buildProgram(): Command {
  const program = new Command('hactl')
    .description('Run a load-balanced PHP site (HAProxy, MariaDB master-master, sticky or DB sessions) from one cluster.yaml')
    .option('-f, --file <path>', 'cluster file', process.env.HACTL_FILE ?? 'cluster.yaml')
    .option('--json', 'machine-readable output')
    .addOption(new Option('--runtime <runtime>', 'override runtime: in cluster.yaml').choices(RUNTIMES.filter((r) => r !== 'auto')))
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) })
    .addHelpText('after', examples('hactl init', 'hactl validate', 'hactl render --runtime local', 'hactl config --json'));
  for (const register of [registerInit, registerValidate, registerRender, registerConfig, registerUp, registerStatus, registerNodes]) register(program);
  for (const c of program.commands) c.exitOverride();
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
    const out = createOutput(json);
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
