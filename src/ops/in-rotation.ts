import type { Balancer, Driver, Progress } from '../drivers/driver.js';
import { HactlError } from '../errors.js';
import { parseShowStat, type StatRow } from '../haproxy/stat.js';
import type { Cluster } from '../spec/model.js';
import { checkText } from '../status/summarize.js';
import { pollUntil } from '../util/poll.js';

/** The servers each balancer must see UP: every web node not in maintenance, every DB node. */
export function expectedInRotation(cluster: Cluster): Record<Balancer, string[]> {
  return { 'lb-web': cluster.web.filter((n) => n.state !== 'maint').map((n) => n.name), 'lb-db': cluster.db.map((n) => n.name) };
}

const PASSED = /^(L4OK|L6OK|L7OK|L7OKC)$/;

/**
 * Of NAMES, those ROWS (a balancer's `show stat`) do not show in rotation,
 * each with what the balancer says of it. In rotation: UP (or DRAIN, as
 * cluster.yaml may ask) and its last check passed. A server is taken for UP
 * before its first check, so a status alone would call a node up that has
 * never answered (lb-db's checks failed for 3 s after compose's up while
 * the check user did not exist yet).
 */
export function notInRotation(rows: readonly StatRow[], names: readonly string[]): { name: string; seen: string }[] {
  const servers = rows.filter((r) => r.type === '2');
  return names.flatMap((name) => {
    const mine = servers.filter((r) => r.svname === name);
    if (mine.length === 0) return [{ name, seen: 'not in its configuration' }];
    const wrong = mine.find((r) => !/^(UP|DRAIN)$/.test(r.status ?? '') || !PASSED.test((r.check_status ?? '').replace(/^\* ?/, '')));
    return wrong ? [{ name, seen: [wrong.status || '?', checkText(wrong)].filter(Boolean).join(' ') }] : [];
  });
}

/**
 * Wait until lb-web and lb-db both see every node of CLUSTER that should be
 * in rotation UP: `up` is done when the site and the DB entry serve from
 * every node, not when the processes have started.
 */
export async function waitInRotation(driver: Driver, cluster: Cluster, progress: Progress, timeoutMs: number): Promise<void> {
  const expected = expectedInRotation(cluster);
  const missing = async () => {
    const out: string[] = [];
    for (const lb of ['lb-web', 'lb-db'] as const) {
      let rows: StatRow[];
      try {
        rows = parseShowStat(await driver.balancerCommand(lb, 'show stat'));
      } catch (err) {
        out.push(`${lb} does not answer on its admin socket (${(err as Error).message})`);
        continue;
      }
      for (const { name, seen } of notInRotation(rows, expected[lb])) out.push(`${lb} sees ${name} ${seen}`);
    }
    return out;
  };
  let last = await missing();
  if (last.length === 0) return;
  progress('balancers', `waiting until lb-web and lb-db see every node UP (${last.join('; ')})`);
  const done = await pollUntil(async () => (last = await missing()).length === 0, Date.now() + timeoutMs, 100);
  if (!done) {
    throw new HactlError(`the cluster started, but after ${Math.round(timeoutMs / 1000)} s the balancers still do not see every node UP`, 1, [
      ...last,
      'hactl status shows what each balancer sees; hactl logs NODE shows a node\'s log',
    ]);
  }
}
