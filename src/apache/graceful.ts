import { HactlError } from '../errors.js';
import type { BalancerLog } from '../haproxy/reload.js';
import { pollUntil } from '../util/poll.js';
import type { Command, Runner } from '../util/runner.js';

/** The line Apache's master writes (at notice level: whatever LogLevel says) once a new generation serves. */
const RESUMED = /AH00489|resuming normal operations/;

const GRACEFUL_TIMEOUT_MS = 15_000;

/** `apache2 -k graceful -f FILE`: the config checked first, the master found through FILE's PidFile. */
export function gracefulCommand(bin: string, configFile: string): Command {
  return [bin, ['-k', 'graceful', '-f', configFile]];
}

/**
 * A graceful restart of a running Apache (COMMAND, gracefulCommand's or the
 * same run in its container): requests under way finish on the old
 * children, the new generation reads the new config. `-k graceful` checks
 * the config before it signals, and refuses a bad one with the previous
 * config still serving; never a bare SIGUSR1, which lets the master exit
 * on a file it cannot read. Done when the master says it resumed, in LOG.
 */
export async function gracefulRestart(name: string, runner: Runner, command: Command, log: BalancerLog): Promise<{ ms: number }> {
  const started = Date.now();
  const since = await log.mark();
  const r = await runner.run(command, { timeoutMs: GRACEFUL_TIMEOUT_MS });
  if (r.exitCode !== 0) {
    const said = `${r.stdout}\n${r.stderr}`.trim().split('\n').filter((l) => l.trim() !== '');
    throw new HactlError(`${name} refused its new configuration (apache2 -k graceful exited ${r.exitCode}); the previous one is still serving`, 1, [...said, `see ${log.where}`]);
  }
  const resumed = await pollUntil(async () => RESUMED.test(await since().catch(() => '')) || undefined, started + GRACEFUL_TIMEOUT_MS, 50);
  if (!resumed) throw new HactlError(`${name} did not say it resumed within ${GRACEFUL_TIMEOUT_MS / 1000} s after a graceful restart`, 1, [`see ${log.where}`]);
  return { ms: Date.now() - started };
}
