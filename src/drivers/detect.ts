import type { ConcreteRuntime, Runtime } from '../spec/model.js';
import type { Runner } from '../util/runner.js';

/** `auto` means compose where a Docker engine answers, local otherwise. */
export async function resolveRuntime(runtime: Runtime, runner: Runner): Promise<ConcreteRuntime> {
  if (runtime !== 'auto') return runtime;
  const r = await runner.run(['docker', ['info', '--format', '{{.ServerVersion}}']], { timeoutMs: 3000 });
  return r.exitCode === 0 && r.stdout.trim() !== '' ? 'compose' : 'local';
}
