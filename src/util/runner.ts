/** A command as data: the program and its arguments, never a shell string. */
export type Command = readonly [bin: string, args: readonly string[]];

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started at all (e.g. not installed). */
  notFound?: boolean;
}

export interface RunOptions {
  timeoutMs?: number;
  cwd?: string;
  /** Feed the program this file (a dump to load) instead of nothing. */
  stdinFile?: string;
  /** Send its output to this file (a dump) instead of keeping it in memory. */
  stdoutFile?: string;
}

export interface Runner {
  run(command: Command, options?: RunOptions): Promise<CommandResult>;
}

/** Runs commands for real, without a shell, never throwing on a non-zero exit. */
export const execaRunner: Runner = {
  async run([bin, args], options = {}) {
    // Loaded on first use: execa costs ~100 ms of start-up, and `status` never runs a program.
    const { execa } = await import('execa');
    const result = await execa(bin, args, {
      reject: false,
      timeout: options.timeoutMs,
      cwd: options.cwd,
      stdin: options.stdinFile ? { file: options.stdinFile } : 'ignore',
      ...(options.stdoutFile ? { stdout: { file: options.stdoutFile } } : {}),
    });
    const notFound = (result as { code?: string }).code === 'ENOENT';
    return {
      exitCode: result.exitCode ?? (notFound ? 127 : 1),
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? ''),
      ...(notFound ? { notFound } : {}),
    };
  },
};

/** For tests: records every command and answers from a script. */
export function recordingRunner(answer: (command: Command) => Partial<CommandResult> = () => ({})): Runner & { commands: Command[] } {
  const commands: Command[] = [];
  return {
    commands,
    async run(command) {
      commands.push(command);
      return { exitCode: 0, stdout: '', stderr: '', ...answer(command) };
    },
  };
}
