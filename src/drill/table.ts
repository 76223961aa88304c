import type { ModeResult, Survival, Verdict } from './summary.js';

/** The drill's results as table rows for people; --json gives the numbers themselves. */

export const DRILL_HEAD = ['mode', 'same node', 'color after switch', 'color after death', 'p50 ms', 'p99 ms', 'DB writes/req', 'failed'];

const survival = (s: Survival & { verdict: Verdict }) => (s.verdict === 'n/a' ? 'n/a (no switch)' : `${s.verdict} (${s.kept}/${s.reads})`);
const ms = (n: number | null) => (n === null ? '-' : n.toFixed(1));

export function drillRow(r: ModeResult): string[] {
  const top = Object.entries(r.served_by).sort(([, a], [, b]) => b - a)[0]?.[0];
  return [
    r.mode,
    r.stayed_on_one_node === null ? '-' : `${Math.round(r.stayed_on_one_node * 100)}%${top && r.stayed_on_one_node === 1 ? ` (${top})` : ''}`,
    survival(r.survived_switch),
    r.survived_death.verdict === 'n/a' ? 'n/a' : `${r.survived_death.verdict} (${r.survived_death.kept}/${r.survived_death.reads})`,
    ms(r.latency_ms.p50),
    ms(r.latency_ms.p99),
    r.db_writes_per_request.toFixed(2),
    `${r.failed}/${r.requests}`,
  ];
}
