import type { ProcessAction, WriteAction } from './action.js';
import type { DesiredProcess, FileRef, ObservedProcess, ProcessStep } from './observed.js';

/**
 * What the runtime must do to its processes, in DESIRED's order (DB nodes,
 * web nodes, lb-db, lb-web): start what does not run, restart a node whose
 * settings changed, reload (hitless) a balancer whose config changed beyond
 * what the runtime API sets, or every balancer when RELOAD_BALANCERS. Pure.
 */
export function planProcesses(
  desired: readonly DesiredProcess[],
  observed: ReadonlyMap<string, ObservedProcess>,
  options: { reloadBalancers?: boolean | undefined } = {},
): ProcessAction[] {
  return desired.flatMap((p): ProcessAction[] => {
    const seen = observed.get(p.name);
    const step = (kind: ProcessAction['kind'], reason: string): ProcessAction[] => [{ kind, process: p.name, hash: p.hash, launch: p.launch, reason }];
    if (!seen?.running) return step('start', 'not running');
    if (seen.launch !== p.launch) return step('restart', p.kind === 'lb' ? 'how it is run changed: its command, image or published ports (a reload keeps the old program and ports)' : 'how it is run changed: its command or image');
    if (seen.hash !== p.hash) return p.kind === 'lb' ? step('reload', 'its config changed') : step('restart', 'its settings changed');
    if (p.kind === 'lb' && options.reloadBalancers) return step('reload', 'a reload was asked for');
    return [];
  });
}

/** The plan's steps by process, as a runtime carries them out. */
export function stepsOf(plan: readonly ProcessAction[]): Map<string, ProcessStep> {
  return new Map(plan.map((a) => [a.process, a.kind]));
}

/** What checks a config before it is written (src/drivers/write-rendered.ts). */
const CHECKED_BY: Partial<Record<FileRef['kind'], string>> = { haproxy: 'haproxy -c', apache: 'apache2 -t' };

/** The config files up writes: those the processes' folder does not hold as rendered. */
export function planWrites(changed: readonly FileRef[]): WriteAction[] {
  return changed.map(({ path, kind }) => ({ kind: 'write', file: path, fileKind: kind, reason: CHECKED_BY[kind] ? `it changed; ${CHECKED_BY[kind]} checks it first` : 'it changed' }));
}
