import { HactlError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
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
  for (;;) {
    try {
      const text = await masterCommand(masterSocket, 'show proc', 2000);
      if (text.includes('master')) return parseShowProc(text);
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`no answer to "show proc" on ${masterSocket}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A hitless master-worker reload: save the servers' runtime state where the
 * new worker loads it (server-state-file), ask the master to reload, then
 * read `show proc` until a new worker serves, since 2.6's `reload` answers
 * nothing. A configuration the new worker cannot start leaves the old
 * worker serving and counts a failed reload: that is reported as an error.
 */
export async function hitlessReload(name: string, sockets: BalancerSockets, logHint: string): Promise<ReloadOutcome> {
  const started = Date.now();
  const teacher = await waitUntilTeachable(sockets.adminSocket, started + PEERS_SETTLE_MS);
  const deadline = Date.now() + RELOAD_TIMEOUT_MS;
  writeFileAtomic(sockets.stateFile, await socketCommand(sockets.adminSocket, 'show servers state'), 0o600);
  const before = await showProc(sockets.masterSocket, deadline);
  await masterCommand(sockets.masterSocket, 'reload').catch(() => undefined);
  for (;;) {
    const now = await showProc(sockets.masterSocket, deadline);
    if (now.failedReloads > before.failedReloads) {
      throw new HactlError(`${name} could not load its new configuration; the previous one is still serving`, 1, [
        `see ${logHint} for HAProxy's reason`,
      ]);
    }
    const fresh = now.workers.find((pid) => !before.workers.includes(pid));
    if (fresh !== undefined) {
      await waitUntilServing(sockets.adminSocket, fresh, teacher, deadline);
      for (const old of before.workers) await waitUntilStopping(sockets.masterSocket, old, deadline);
      return { worker: fresh, oldWorkers: now.oldWorkers, ms: Date.now() - started };
    }
    if (Date.now() > deadline) throw new HactlError(`${name} did not report a new worker within ${RELOAD_TIMEOUT_MS / 1000} s after reload`, 1, [`see ${logHint}`]);
    await new Promise((r) => setTimeout(r, 50));
  }
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
  for (;;) {
    const flags = peersFlags(await socketCommand(adminSocket, 'show peers').catch(() => ''));
    if (flags === undefined) return false;
    if ((flags & (RESYNC_LOCAL_DONE | RESYNC_REMOTE_DONE)) === (RESYNC_LOCAL_DONE | RESYNC_REMOTE_DONE)) return true;
    if (Date.now() > deadline) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The new worker answers on the admin socket and, if it has a peers section,
 * has learnt the stick tables from the old worker. Without this wait, a
 * second reload right after the first could start from a half-taught worker
 * and lose entries.
 */
async function waitUntilServing(adminSocket: string, worker: number, teacher: boolean, deadline: number): Promise<void> {
  for (;;) {
    const pid = Number(/^Pid: (\d+)/m.exec(await socketCommand(adminSocket, 'show info').catch(() => ''))?.[1]);
    // With no table to learn (the old worker had no peers section), it would only wait out HAProxy's 5 s.
    if (pid === worker && !teacher) return;
    if (pid === worker) {
      const flags = peersFlags(await socketCommand(adminSocket, 'show peers').catch(() => ''));
      if (flags === undefined || (flags & RESYNC_LOCAL_DONE) !== 0) return;
    }
    if (Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The old worker has stopped accepting (soft-stop). Until it has, it may
 * still take a new connection with the old configuration: measured, a
 * request right after `session-mode db` returned still got a sticky cookie.
 * `@!PID` sends the command to that worker through the master CLI.
 */
async function waitUntilStopping(masterSocket: string, worker: number, deadline: number): Promise<void> {
  for (;;) {
    const info = await masterCommand(masterSocket, `@!${worker} show info`, 2000).catch(() => '');
    if (!/^Pid: /m.test(info) || /^Stopping: 1/m.test(info)) return;
    if (Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}
