import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { procStat } from '../../util/proc-stat.js';
import { dirname } from 'node:path';
import { pollUntil, sleep } from '../../util/poll.js';
import type { Command } from '../../util/runner.js';
import { logCapper } from './log-cap.js';

/**
 * Starts and stops the local runtime's long-lived processes. Each runs in a
 * process group of its own (a web node's Apache children and HAProxy's
 * worker outlive their parent otherwise), detached from hactl, its output appended to a
 * log that a loop beside it caps (log-cap.ts).
 */

export function startDetached(command: Command, options: { logFile: string; env?: Record<string, string>; cwd?: string; logCap?: { bytes: number; checkSeconds: number } }): number {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, 'a', 0o600);
  try {
    const [bin, args] = command;
    const child = spawn(bin, [...args], {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, ...options.env },
      cwd: options.cwd,
    });
    if (child.pid === undefined) throw new Error(`could not start ${bin}`);
    child.unref();
    const [sh, capArgs] = logCapper(child.pid, options.logFile, options.logCap?.bytes, options.logCap?.checkSeconds);
    spawn(sh, [...capArgs], { detached: true, stdio: 'ignore' }).unref();
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** kill(-0) signals our own group and kill(-1) every process: a node's group is never named so. */
const isGroup = (pgid: number) => Number.isInteger(pgid) && pgid > 1;

/**
 * Whether any live process remains in process group PGID. A zombie (exited,
 * not yet reaped: PID 1 here reaps slowly) answers signal 0 yet serves nothing.
 */
export function groupAlive(pgid: number): boolean {
  if (!isGroup(pgid)) return false;
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  // Most of the time the leader itself still runs: no need to read every process's
  // stat (the dashboard asks for each node four times a second).
  const leader = procStat(pgid);
  if (leader && leader.pgrp === pgid && leader.state !== 'Z') return true;
  return readdirSync('/proc').some((p) => {
    if (!/^\d+$/.test(p)) return false;
    const stat = procStat(p);
    return stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z';
  });
}


/** SIGTERM the whole group, then SIGKILL what is left after TIMEOUT. */
export async function stopGroup(pid: number, timeoutMs = 10_000): Promise<void> {
  if (!isGroup(pid)) throw new Error(`not a process group of a node: ${pid}`);
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      /* the group is gone */
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pid)) return;
    await sleep(50);
  }
  signal('SIGKILL');
  while (groupAlive(pid)) await sleep(20);
}


/** Poll CHECK until it holds or TIMEOUT passes; the last failure explains why. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 100): Promise<void> {
  if (!(await pollUntil(check, Date.now() + timeoutMs, intervalMs))) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
}
