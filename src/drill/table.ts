import type { ModeResult, Survival, Verdict } from './summary.js';

/** The drill's results as table rows for people; --json gives the numbers themselves. */

export const DRILL_HEAD = ['mode', 'same node', 'color after switch', 'after web node death', 'after store node death', 'p50 ms', 'p99 ms', 'store ops/req', 'failed'];

/** What one request costs the store: DB write statements in db mode, the store's session commands in memcached and redis, nothing in files. */
function storeCost(r: ModeResult): string {
  if (r.store_ops_per_request !== null) return r.store_ops_per_request.toFixed(2);
  return r.mode === 'db' ? `${r.db_writes_per_request.toFixed(2)} (DB writes)` : '-';
}

const survival = (s: Survival & { verdict: Verdict }) => (s.verdict === 'n/a' ? 'n/a (no switch)' : `${s.verdict} (${s.kept}/${s.reads})`);
const died = (s: Survival & { verdict: Verdict }) => (s.verdict === 'n/a' ? 'n/a' : `${s.verdict} (${s.kept}/${s.reads})`);
const ms = (n: number | null) => (n === null ? '-' : n.toFixed(1));

export function drillRow(r: ModeResult): string[] {
  const top = Object.entries(r.served_by).sort(([, a], [, b]) => b - a)[0]?.[0];
  return [
    r.mode,
    r.stayed_on_one_node === null ? '-' : `${Math.round(r.stayed_on_one_node * 100)}%${top && r.stayed_on_one_node === 1 ? ` (${top})` : ''}`,
    survival(r.survived_switch),
    died(r.survived_death),
    r.store_killed === null ? 'n/a' : `${died(r.survived_store_death)}, ${r.store_killed}`,
    ms(r.latency_ms.p50),
    ms(r.latency_ms.p99),
    storeCost(r),
    `${r.failed}/${r.requests}`,
  ];
}
