import { describeAction, type Action } from '../plan/action.js';
import type { Output } from './output.js';

/** A plan for people: what would run, where, and why; the same actions --json lists. */
export function printPlan(out: Output, actions: readonly Action[], empty: string): void {
  if (actions.length === 0) {
    out.print(empty);
    return;
  }
  out.table(
    ['on', 'action', 'why'],
    actions.map((a) => {
      const { on, what } = describeAction(a);
      return [on, what, a.reason];
    }),
    // In a narrow terminal the reason gives way first (--json has it whole).
    { shrink: [2, 1] },
  );
}

/**
 * A dry run's answer: for scripts RESULT as JSON, marked dry_run; for people
 * HEADER and the plan's table (EMPTY when there is nothing to do).
 */
export function printDryRun(out: Output, result: { actions: readonly Action[] }, header: string, empty: string): void {
  if (out.json) return out.printJson({ dry_run: true, ...result });
  out.print(header);
  printPlan(out, result.actions, empty);
}
