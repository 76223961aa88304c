import type { Command } from 'commander';
import type { Project } from '../ops/project.js';
import type { Runtime } from '../spec/model.js';
import { execaRunner, type Runner } from '../util/runner.js';
import type { Output } from './output.js';

export interface GlobalOptions {
  file: string;
  json?: boolean;
  runtime?: Runtime;
}

/** What every command needs, built from the global options. */
export interface Context {
  project: Project;
  out: Output;
  runner: Runner;
  runtime: Runtime | undefined;
}

export async function contextOf(command: Command, file?: string): Promise<Context> {
  // What was given after the command wins over the program's (defaults live only there);
  // commander's optsWithGlobals() alone would let the program's default win.
  const opts = { ...command.optsWithGlobals<GlobalOptions>(), ...command.opts<Partial<GlobalOptions>>() };
  // Loaded once a command runs: registering every command for --help needs neither.
  const [{ projectFor }, { createOutput }] = await Promise.all([import('../ops/project.js'), import('./output.js')]);
  return {
    project: projectFor(file ?? opts.file),
    out: await createOutput(opts.json === true),
    runner: execaRunner,
    runtime: opts.runtime,
  };
}

/** "Example:" blocks for --help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}
