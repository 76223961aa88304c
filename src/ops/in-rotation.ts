import type { Balancer, Driver, Progress } from '../drivers/driver.js';
import { HactlError } from '../errors.js';
import { parseShowStat, type StatRow } from '../haproxy/stat.js';
import type { Cluster } from '../spec/model.js';
import type { LbWebClient, WebMember } from '../lb-web/index.js';
import { conditionOf } from '../status/model.js';
import { checkPassed, checkText } from '../status/summarize.js';
import { pollUntil } from '../util/poll.js';
import { readWriterEntry } from '../status/collect.js';
import { parseAgentState } from '../status/db-agent.js';
import { connectAddress } from '../util/net.js';
import { tcpGreets } from '../util/probe.js';

/** The servers each balancer must see UP: every web node not in maintenance, every DB node. */
export function expectedInRotation(cluster: Cluster): Record<Balancer, string[]> {
  return { 'lb-web': cluster.web.filter((n) => n.state !== 'maint').map((n) => n.name), 'lb-db': cluster.db.map((n) => n.name) };
}

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
    const wrong = mine.find((r) => !/^(UP|DRAIN)$/.test(r.status ?? '') || !checkPassed(r));
    return wrong ? [{ name, seen: [wrong.status || '?', checkText(wrong)].filter(Boolean).join(' ') }] : [];
  });
}

/** notInRotation for lb-web's members, whichever engine runs it. */
export function membersNotInRotation(members: readonly WebMember[], names: readonly string[]): { name: string; seen: string }[] {
  return names.flatMap((name) => {
    const m = members.find((x) => x.name === name);
    if (!m) return [{ name, seen: 'not in its configuration' }];
    const ok = ['up', 'drain'].includes(conditionOf(m.status)) && m.checked;
    return ok ? [] : [{ name, seen: [m.status, m.flags, m.check].filter(Boolean).join(' ') }];
  });
}

/**
 * What keeps lb-db's writer from taking writes, or undefined when it does:
 * no writer named yet (a connection of hactl's names it: the first master
 * lb-db picks), or its agent has not made it writable yet (it does so
 * within one check of being named).
 */
async function writerNotReady(driver: Driver, cluster: Cluster): Promise<string | undefined> {
  const entry = await readWriterEntry(driver);
  if (entry === null) await tcpGreets(connectAddress(cluster.listen), cluster.ports.db);
  if (!entry) return 'lb-db names no writer yet';
  const agent = parseAgentState(await driver.dbAgentState(entry), Math.floor(Date.now() / 1000));
  return agent?.writer === entry && agent.read_only === false ? undefined : `lb-db's writer ${entry} is not writable yet`;
}

/**
 * Wait until lb-web and lb-db both see every node of CLUSTER that should be
 * in rotation UP and lb-db's writer takes writes: `up` is done when the site
 * and the DB entry serve from every node, not when the processes have started.
 */
export async function waitInRotation(driver: Driver, lbWeb: LbWebClient, cluster: Cluster, progress: Progress, timeoutMs: number): Promise<void> {
  const expected = expectedInRotation(cluster);
  const missing = async () => {
    const out: string[] = [];
    try {
      const members = await lbWeb.members();
      if (!members) out.push(`lb-web (${lbWeb.engine}) does not answer`);
      else for (const { name, seen } of membersNotInRotation(members, expected['lb-web'])) out.push(`lb-web sees ${name} ${seen}`);
    } catch (err) {
      out.push(`lb-web (${lbWeb.engine}) does not answer (${(err as Error).message})`);
    }
    let rows: StatRow[] | undefined;
    try {
      rows = parseShowStat(await driver.balancerCommand('lb-db', 'show stat'));
    } catch (err) {
      out.push(`lb-db does not answer on its admin socket (${(err as Error).message})`);
    }
    if (rows) for (const { name, seen } of notInRotation(rows, expected['lb-db'])) out.push(`lb-db sees ${name} ${seen}`);
    if (rows && cluster.redis.length > 0) {
      const redis = cluster.redis.map((n) => n.name);
      // The replicas fail the role check by design: one node passes, the primary.
      const unseen = notInRotation(rows, redis);
      if (unseen.length === redis.length) out.push(`lb-db sees no Redis primary yet (${unseen.map((u) => `${u.name} ${u.seen}`).join(', ')})`);
    }
    // Only once lb-db sees them: a writer is named by the first connection through it.
    if (rows && out.length === 0 && cluster.db.length > 0) {
      const writer = await writerNotReady(driver, cluster);
      if (writer) out.push(writer);
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
