import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { appendEvents } from '../events/log.js';
import { recordVersion, redact } from '../history/store.js';
import { stepLine, type Action } from '../plan/action.js';
import type { RenderedFile } from '../render/index.js';
import { loadOrCreateSecrets, revealAll } from '../secrets/store.js';
import type { Change } from './change.js';
import type { OpContext } from './context.js';

/** Who asked for an apply, and how: recorded with it. */
export interface Actor {
  user: string;
  command: string;
}

/** The command line of this process, and the user running it: what the CLI records. */
export function processActor(): Actor {
  let user = process.env.SUDO_USER ?? '';
  try {
    user ||= userInfo().username;
  } catch {
    user ||= String(process.getuid?.() ?? 'unknown');
  }
  return { user, command: ['hactl', ...process.argv.slice(2)].join(' ') };
}

/** How an apply failed: the error, the step it failed at, what was put back after it. */
export interface Failure {
  error: unknown;
  step: string;
  restored: string;
}

/**
 * The record step of an apply (CHANGE's text: cluster.yaml's, when not on disk yet): a version in the history with what was
 * applied (cluster.yaml, the rendered configs with their secrets replaced
 * by names, certificates left out) and how it ended. A plan with no step
 * changed nothing and records nothing. The event log gets a line of it.
 */
export function recordApply(ctx: OpContext, change: Change, files: readonly RenderedFile[], plan: readonly Action[], failure?: Failure): number | undefined {
  if (plan.length === 0) return undefined;
  const secrets = loadOrCreateSecrets(ctx.project.stateDir);
  const values = revealAll(secrets);
  const at = new Date().toISOString();
  const outcome = failure === undefined ? ({ result: 'applied' } as const) : ({ result: 'failed', error: redact(messageOf(failure.error), values), step: failure.step } as const);
  const version = recordVersion(
    ctx.project.stateDir,
    {
      at,
      user: ctx.actor.user,
      command: ctx.actor.command,
      ...outcome,
      ...(failure === undefined ? {} : { restored: failure.restored }),
      plan: plan.map(stepLine),
      cluster_yaml: redact(change.text ?? readFileSync(ctx.project.file, 'utf8'), values),
      files: Object.fromEntries(files.filter((f) => f.kind !== 'cert').map((f) => [f.path, redact(f.content, values)])),
    },
    change.next.history.keep,
  );
  appendEvents(ctx.project.stateDir, [{ at, type: 'operation', user: ctx.actor.user, command: ctx.actor.command, ...outcome, version }]);
  return version;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
