import type { Command } from 'commander';
import { projectFor, type Project } from '../ops/project.js';
import type { Runtime } from '../spec/model.js';
import { execaRunner, type Runner } from '../util/runner.js';
import { createOutput, type Output } from './output.js';

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

export function contextOf(command: Command, file?: string): Context {
  // What was given after the command wins over the program's (defaults live only there);
  // commander's optsWithGlobals() alone would let the program's default win.
  const opts = { ...command.optsWithGlobals<GlobalOptions>(), ...command.opts<Partial<GlobalOptions>>() };
  return {
    project: projectFor(file ?? opts.file),
    out: createOutput(opts.json === true),
    runner: execaRunner,
    runtime: opts.runtime,
  };
}

/** "Example:" blocks for --help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}
