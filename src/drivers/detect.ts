import type { ConcreteRuntime, Runtime } from '../spec/model.js';
import type { Runner } from '../util/runner.js';
import { engineVersion } from './compose/commands.js';

export interface ResolvedRuntime {
  runtime: ConcreteRuntime;
  /** Why auto chose it; undefined when the runtime was given. */
  reason?: string;
}

/** `auto` means compose where a Docker engine answers, local otherwise. */
export async function resolveRuntime(runtime: Runtime, runner: Runner): Promise<ResolvedRuntime> {
  if (runtime !== 'auto') return { runtime };
  const r = await runner.run(engineVersion, { timeoutMs: 3000 });
  return r.exitCode === 0 && r.stdout.trim() !== ''
    ? { runtime: 'compose', reason: `a Docker engine answers (${r.stdout.trim()})` }
    : { runtime: 'local', reason: 'no Docker engine answers' };
}
