import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

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
  for (const pgid of running) signalGroup(pgid, 'SIGKILL');
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
      signalGroup(pid, 'SIGTERM');
      const deadline = Date.now() + graceMs;
      while (groupAlive(pid) && Date.now() < deadline) await sleep(25);
      if (groupAlive(pid)) signalGroup(pid, 'SIGKILL');
      while (groupAlive(pid)) await sleep(25);
      await exited;
      running.delete(pid);
    },
  };
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Whether a process of the group still runs. Zombies do not count: workers
 * orphaned by php -S are reaped by PID 1, which may take a second here.
 */
function groupAlive(pgid: number): boolean {
  if (!existsSync('/proc/self/stat')) {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') return true;
  }
  return false;
}
