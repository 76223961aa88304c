import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { stopGroup } from '../../src/drivers/local/supervisor.js';

/**
 * A daemon started in its own process group, so that stopping it also stops
 * whatever it forked (php -S workers survive their parent; see DESIGN.md).
 */
export interface Daemon {
  readonly pid: number;
  /** Resolves when the leader has exited (with its code or signal). */
  readonly exited: Promise<string>;
  hasExited(): boolean;
  /** The tail of the daemon's combined stdout and stderr. */
  log(lines?: number): string;
  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once no process of the group is left. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<number>();
// If a test run dies without its afterAll, leave no daemon behind.
process.once('exit', () => {
  for (const pgid of running) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

export function startDaemon(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; logFile: string; cwd?: string }): Daemon {
  const fd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error(`could not start ${command}`);
  }
  running.add(pid);
  let done = false;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve(signal ?? `code ${code}`);
    });
    child.once('error', (error) => {
      done = true;
      resolve(`error ${error.message}`);
    });
  });

  return {
    pid,
    exited,
    hasExited: () => done,
    log: (lines = 40) => readFileSync(options.logFile, 'utf8').split('\n').slice(-lines).join('\n'),
    async stop(graceMs = 5_000) {
      await stopGroup(pid, graceMs);
      await exited;
      running.delete(pid);
    },
  };
}
