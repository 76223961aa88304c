import { HactlError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { parseShowProc, type ProcTable } from './proc.js';
import { socketCommand } from './socket-cli.js';

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
      const text = await socketCommand(masterSocket, 'show proc', 2000);
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
  const deadline = started + RELOAD_TIMEOUT_MS;
  writeFileAtomic(sockets.stateFile, await socketCommand(sockets.adminSocket, 'show servers state'), 0o600);
  const before = await showProc(sockets.masterSocket, deadline);
  await socketCommand(sockets.masterSocket, 'reload').catch(() => undefined);
  for (;;) {
    const now = await showProc(sockets.masterSocket, deadline);
    if (now.failedReloads > before.failedReloads) {
      throw new HactlError(`${name} could not load its new configuration; the previous one is still serving`, 1, [
        `see ${logHint} for HAProxy's reason`,
      ]);
    }
    const fresh = now.workers.find((pid) => !before.workers.includes(pid));
    if (fresh !== undefined) return { worker: fresh, oldWorkers: now.oldWorkers, ms: Date.now() - started };
    if (Date.now() > deadline) throw new HactlError(`${name} did not report a new worker within ${RELOAD_TIMEOUT_MS / 1000} s after reload`, 1, [`see ${logHint}`]);
    await new Promise((r) => setTimeout(r, 50));
  }
}
