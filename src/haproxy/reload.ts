import { HactlError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { markLog, readSince } from '../util/log-file.js';
import { pollUntil } from '../util/poll.js';
import type { Command, Runner } from '../util/runner.js';
import { alertLines } from './alerts.js';
import { parseShowProc, type ProcTable } from './proc.js';
import { masterCommand, socketCommand } from './socket-cli.js';

export interface BalancerSockets {
  adminSocket: string;
  masterSocket: string;
  stateFile: string;
}

export interface ReloadOutcome {
  worker: number;
  /** Workers of the previous configuration, still finishing their connections. */
  oldWorkers: number[];
  ms: number;
}

const RELOAD_TIMEOUT_MS = 15_000;

/** The master re-executes itself on reload: its socket is briefly away. */
async function showProc(masterSocket: string, deadline: number): Promise<ProcTable> {
  let failure: unknown;
  const table = await pollUntil(async () => {
    try {
      const text = await masterCommand(masterSocket, 'show proc', 2000);
      return text.includes('master') ? parseShowProc(text) : undefined;
    } catch (err) {
      failure = err;
      return undefined;
    }
  }, deadline, 50);
  if (!table) throw failure ?? new Error(`no answer to "show proc" on ${masterSocket}`);
  return table;
}

/**
 * Where a balancer's output goes, as a reload reads it: HAProxy 2.6 says
 * why a reload failed only there (its master CLI answers `reload` with
 * nothing, and has no `show startup-logs`).
 */
export interface BalancerLog {
  /** Where a person reads all of it: the file, or the command that prints it. */
  where: string;
  /** Marks where the log ends now; the function it returns reads what was written since. */
  mark(): Promise<() => Promise<string>>;
}

/** A balancer's log in a file of the local runtime (capped: util/log-file.ts reads across the emptying). */
export function fileLog(file: string): BalancerLog {
  return {
    where: file,
    mark: async () => {
      const since = markLog(file);
      return async () => readSince(file, since);
    },
  };
}

/** A balancer's log printed by a command (docker logs --since): SINCE is an ISO 8601 time. */
export function commandLog(where: string, runner: Runner, command: (since: string) => Command): BalancerLog {
  return {
    where,
    mark: async () => {
      const since = new Date().toISOString();
      return async () => {
        const r = await runner.run(command(since), { timeoutMs: 10_000 });
        return `${r.stdout}\n${r.stderr}`;
      };
    },
  };
}

/** The master writes its alerts just before it counts the failure; the log may lag a little behind. */
const ALERTS_WAIT_MS = 1000;

/**
 * HAProxy's [ALERT] lines written since a mark, then where the whole log
 * is. The lines come from this attempt only: a log holds every earlier
 * one too, and a line per request around them.
 */
async function reasons(log: BalancerLog, since: () => Promise<string>): Promise<string[]> {
  const alerts = await pollUntil(async () => {
    const lines = alertLines(await since().catch(() => ''));
    return lines.length > 0 ? lines : undefined;
  }, Date.now() + ALERTS_WAIT_MS, 100);
  return [...(alerts ?? []), `see ${log.where}`];
}

/**
 * A hitless master-worker reload: save the servers' runtime state where the
 * new worker loads it (server-state-file), ask the master to reload, then
 * read `show proc` until a new worker serves, since 2.6's `reload` answers
 * nothing. A configuration the new worker cannot start leaves the old
 * worker serving and counts a failed reload: that is reported as an error,
 * with HAProxy's own reason from LOG.
 */
export async function hitlessReload(name: string, sockets: BalancerSockets, log: BalancerLog): Promise<ReloadOutcome> {
  const started = Date.now();
  const teacher = await waitUntilTeachable(sockets.adminSocket, started + PEERS_SETTLE_MS);
  const deadline = Date.now() + RELOAD_TIMEOUT_MS;
  writeFileAtomic(sockets.stateFile, await socketCommand(sockets.adminSocket, 'show servers state'), 0o600);
  const before = await showProc(sockets.masterSocket, deadline);
  const since = await log.mark();
  await masterCommand(sockets.masterSocket, 'reload').catch(() => undefined);
  const after = await pollUntil(async () => {
    const now = await showProc(sockets.masterSocket, deadline);
    if (now.failedReloads > before.failedReloads) return { failed: true as const };
    const fresh = now.workers.find((pid) => !before.workers.includes(pid));
    return fresh === undefined ? undefined : { failed: false as const, fresh, now };
  }, deadline, 50);
  if (after?.failed) {
    throw new HactlError(`${name} could not load its new configuration; the previous one is still serving`, 1, await reasons(log, since));
  }
  if (!after) throw new HactlError(`${name} did not report a new worker within ${RELOAD_TIMEOUT_MS / 1000} s after reload`, 1, await reasons(log, since));
  await waitUntilServing(sockets.adminSocket, after.fresh, teacher, deadline);
  for (const old of before.workers) await waitUntilStopping(sockets.masterSocket, old, deadline);
  return { worker: after.fresh, oldWorkers: after.now.oldWorkers, ms: Date.now() - started };
}

/** PEERS_F_RESYNC_LOCAL in HAProxy's peers.c: the new worker has learnt the old one's tables. */
const RESYNC_LOCAL_DONE = 0x1;
/** PEERS_F_RESYNC_REMOTE: done with remote peers too (here: waited them out, there are none). */
const RESYNC_REMOTE_DONE = 0x2;
/** A worker started cold waits 5 s for a local teacher, then 5 s for remote ones. */
const PEERS_SETTLE_MS = 12_000;

function peersFlags(answer: string): number | undefined {
  const flags = /flags=0x([0-9a-f]+)/.exec(answer.split('\n', 1)[0] ?? '')?.[1];
  return flags === undefined ? undefined : parseInt(flags, 16);
}

/**
 * A worker hands its stick table to the next one only once it has finished
 * its own start-up sync, which for a worker started cold (no old worker to
 * learn from) means waiting out both of HAProxy's 5 s timeouts. A reload
 * before that starts the new worker with an empty table (measured: every
 * PHPSESSID-only visitor lost its node), so wait for it, at most ~10 s
 * after a cold start; every later reload finds it done at once. Says
 * whether the running worker has a table to hand on at all.
 */
async function waitUntilTeachable(adminSocket: string, deadline: number): Promise<boolean> {
  const done = RESYNC_LOCAL_DONE | RESYNC_REMOTE_DONE;
  const answer = await pollUntil(async () => {
    const flags = peersFlags(await socketCommand(adminSocket, 'show peers').catch(() => ''));
    if (flags === undefined) return 'no peers';
    return (flags & done) === done ? 'teachable' : undefined;
  }, deadline, 50);
  // Past the deadline it is taught from anyway: the best there is.
  return answer !== 'no peers';
}

/**
 * The new worker answers on the admin socket and, if it has a peers section,
 * has learnt the stick tables from the old worker. Without this wait, a
 * second reload right after the first could start from a half-taught worker
 * and lose entries.
 */
async function waitUntilServing(adminSocket: string, worker: number, teacher: boolean, deadline: number): Promise<void> {
  await pollUntil(async () => {
    const pid = Number(/^Pid: (\d+)/m.exec(await socketCommand(adminSocket, 'show info').catch(() => ''))?.[1]);
    if (pid !== worker) return false;
    // With no table to learn (the old worker had no peers section), it would only wait out HAProxy's 5 s.
    if (!teacher) return true;
    const flags = peersFlags(await socketCommand(adminSocket, 'show peers').catch(() => ''));
    return flags === undefined || (flags & RESYNC_LOCAL_DONE) !== 0;
  }, deadline, 25);
}

/**
 * The old worker has stopped accepting (soft-stop): until then it may still
 * take a new connection with the old configuration. `@!PID` sends the
 * command to that worker through the master CLI.
 */
async function waitUntilStopping(masterSocket: string, worker: number, deadline: number): Promise<void> {
  await pollUntil(async () => {
    const info = await masterCommand(masterSocket, `@!${worker} show info`, 2000).catch(() => '');
    return !/^Pid: /m.test(info) || /^Stopping: 1/m.test(info);
  }, deadline, 20);
}
