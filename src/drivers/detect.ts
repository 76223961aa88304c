import type { ConcreteRuntime, Runtime } from '../spec/model.js';
import type { Runner } from '../util/runner.js';

/**
 * `auto` means compose where a Docker engine answers, local otherwise, once
 * the compose driver exists. Until then auto is local, so that `hactl up`
 * works on a machine that happens to run Docker.
 */
export const COMPOSE_DRIVER_AVAILABLE = false;

export async function resolveRuntime(runtime: Runtime, runner: Runner): Promise<ConcreteRuntime> {
  if (runtime !== 'auto') return runtime;
  if (!COMPOSE_DRIVER_AVAILABLE) return 'local';
  const r = await runner.run(['docker', ['info', '--format', '{{.ServerVersion}}']], { timeoutMs: 3000 });
  return r.exitCode === 0 && r.stdout.trim() !== '' ? 'compose' : 'local';
}
