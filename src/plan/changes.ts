import { badInput, type HactlError } from '../errors.js';
import { WEB_BACKEND } from '../haproxy/server-admin.js';
import type { ServerAdmin } from '../haproxy/servers-state.js';
import { STORE_TIERS, type Cluster, type DbNode, type NodeState, type SessionMode } from '../spec/model.js';
import { isProcessAction, type Action, type ServerAction, type WriteAction } from './action.js';
import { planConverge, type ConvergeOptions } from './converge.js';
import type { Desired, FileRef, Observed } from './observed.js';
import { planWrites } from './processes.js';
import { planWebStates } from './web-states.js';

/**
 * The plan of each live operation: a converge to the edited cluster.yaml
 * and what must come before or after it. Pure: the same function answers
 * --dry-run and is what the operation carries out.
 */

const REMOVED = 'no longer in cluster.yaml (its data stays until hactl clean)';

/** up, start, reload, add web: the converge alone. */
export function planUp(desired: Desired, observed: Observed, options: ConvergeOptions = {}): Action[] {
  return planConverge(desired, observed, options);
}

/**
 * restart NAME: stop it, then the converge, which starts it afresh. A web
 * node lb-web sends visitors to is taken out of rotation first and its
 * requests under way finish: stopped cold, HAProxy resends what met it
 * (redispatch) but Apache fails it (10–11 requests under load, measured).
 * It goes back to cluster.yaml's state once it runs again.
 */
export function planRestart(name: string, desired: Desired, observed: Observed): Action[] {
  const stopped = new Map(observed.processes).set(name, { running: false });
  const stop: Action = { kind: 'stop', process: name, reason: 'restart asked for' };
  const converge = planConverge(desired, { ...observed, processes: stopped });
  const node = desired.cluster.web.find((n) => n.name === name);
  const server = lbWebServer(observed, name);
  if (!node || !server || server.state === 'maint' || observed.processes.get(name)?.running !== true) return [stop, ...converge];
  return [
    ...outOfRotation(name, 'restarting: out of rotation first', 'it stops'),
    stop,
    ...converge,
    setWebState(name, node.state, 'restarted: back to the state cluster.yaml gives it'),
  ];
}

/** lb-web's entry for web node NAME; undefined when lb-web does not run or has no such server. */
function lbWebServer(observed: Observed, name: string): ServerAdmin | undefined {
  return observed.lbWeb?.find((s) => s.backend === WEB_BACKEND && s.name === name);
}

function setWebState(server: string, state: NodeState, reason: string): ServerAction {
  return { kind: 'set-server-state', lb: 'lb-web', backend: WEB_BACKEND, server, state, reason };
}

/** NAME in maintenance in lb-web, then what it is serving finishes (5 s at most) before AFTER. */
function outOfRotation(name: string, reason: string, after: string): Action[] {
  return [setWebState(name, 'maint', reason), { kind: 'wait-idle', node: name, timeoutS: 5, quietS: 0, reason: `requests under way finish before ${after}` }];
}

/** add db NAME: what an earlier node of that name left goes first (its data is not a copy of the cluster). */
export function planAddDb(name: string, desired: Desired, observed: Observed): Action[] {
  const stale = observed.leftovers.find((l) => l.name === name);
  if (stale?.running) {
    throw badInput(`${name} is still running though cluster.yaml does not have it; stop it first (hactl down, or add it back by hand and hactl remove db ${name})`);
  }
  if (!stale) return planConverge(desired, observed);
  // Its config folder goes with the rest: its files are written again, whatever was on disk.
  const own = desired.files.filter((f) => f.path.startsWith(`${name}/`) && !observed.changed.some((c) => c.path === f.path));
  return [
    { kind: 'remove-leftover', node: name, paths: stale.paths, reason: 'its data is not a copy of the cluster: it would join lb-db as it is' },
    ...planConverge(desired, { ...observed, changed: [...observed.changed, ...own] }),
  ];
}

/**
 * remove web NAME: drained in a running lb-web, its sessions' end awaited
 * (and QUIET_S without a new one), then maintenance and what is on its way
 * finishes; then the converge without it, then it stops.
 */
export function planRemoveWeb(name: string, desired: Desired, observed: Observed, timeoutS: number): Action[] {
  const out: Action[] = lbWebServer(observed, name)
    ? [
        setWebState(name, 'drain', 'being removed: no new visitors, sticky ones may finish'),
        { kind: 'wait-idle', node: name, timeoutS, quietS: QUIET_S, reason: `sticky visitors may finish (none for ${QUIET_S} s)` },
        ...outOfRotation(name, 'being removed: out of rotation', 'the reload'),
      ]
    : [];
  return [...out, ...planConverge(desired, observed), { kind: 'stop', process: name, reason: REMOVED }];
}

/**
 * remove memcached: the web nodes' settings without it first (a converge
 * writes them), then it stops. Each session has a copy on another node, so
 * none is lost; the app puts back a second copy on the next request.
 *
 * remove redis: the primary hands over to a replica first (the Sentinels'
 * failover); then lb-db without it, and it stops (with the Sentinels that
 * cluster.yaml no longer has). The Sentinels go on listing it as a replica
 * that is down, which costs nothing: SENTINEL RESET would clear it, but
 * resetting them under load once made them turn the new primary round and
 * lose writes (seen in tests).
 */
export function planRemoveStore(name: string, previous: Cluster, desired: Desired, observed: Observed): Action[] {
  const converge = planConverge(desired, observed);
  if (!previous.redis.some((n) => n.name === name)) return [...converge, { kind: 'stop', process: name, reason: 'no longer in cluster.yaml; the web nodes no longer use it' }];
  const running = (n: string) => observed.processes.get(n)?.running === true;
  const watched = desired.cluster.sentinel.some((s) => running(s.name));
  const leaving = previous.sentinel.filter((s) => !desired.cluster.sentinel.some((d) => d.name === s.name));
  return [
    ...(observed.redisPrimary === name && watched ? [{ kind: 'redis-failover', from: name, reason: `${name} is the primary: a replica takes the sessions first` } as const] : []),
    ...converge,
    { kind: 'stop', process: name, reason: 'no longer in cluster.yaml; lb-db no longer sends it sessions' },
    ...leaving.map((s) => ({ kind: 'stop', process: s.name, reason: `one Redis node is left: nothing to promote, no Sentinel needed` }) as const),
  ];
}

/**
 * rollback to a version: every node the version does not have leaves as
 * its own remove would make it: a web node drained, its visitors' end
 * awaited and out of rotation, a Redis primary handing over first; then
 * the converge to the version; then the nodes that left stop. A DB node
 * cannot leave this way (remove db detaches it from replication, which
 * the version does not say): refused, exit 2, before anything is done.
 */
export function planRollback(previous: Cluster, desired: Desired, observed: Observed, timeoutS: number): Action[] {
  const next = desired.cluster;
  const gone = <T extends { name: string }>(was: readonly T[], now: readonly T[]) => was.filter((n) => !now.some((m) => m.name === n.name)).map((n) => n.name);
  const db = gone(previous.db, next.db);
  if (db.length > 0) {
    throw badInput(`that version has no ${db.join(', ')}: a DB node leaves with hactl remove db ${db[0]} (it detaches it from replication first); then roll back`);
  }
  const web = gone(previous.web, next.web);
  const stores = STORE_TIERS.flatMap((tier) => gone(previous[tier], next[tier]));
  const running = (n: string) => observed.processes.get(n)?.running === true;
  const leaving = web.flatMap((name): Action[] =>
    lbWebServer(observed, name)
      ? [
          setWebState(name, 'drain', 'not in that version: no new visitors, sticky ones may finish'),
          { kind: 'wait-idle', node: name, timeoutS, quietS: QUIET_S, reason: `sticky visitors may finish (none for ${QUIET_S} s)` },
          ...outOfRotation(name, 'not in that version: out of rotation', 'the reload'),
        ]
      : [],
  );
  const primary = observed.redisPrimary;
  const handover: Action[] =
    primary && stores.includes(primary) && next.sentinel.some((s) => running(s.name)) ? [{ kind: 'redis-failover', from: primary, reason: `${primary} is the primary: a replica takes the sessions first` }] : [];
  const stops = [...web, ...stores].filter(running).map((name): Action => ({ kind: 'stop', process: name, reason: 'not in that version' }));
  return [...leaving, ...handover, ...planConverge(desired, observed), ...stops];
}

/**
 * After a failed apply of FAILED's PLAN, back to what served (DESIRED): its
 * files written again, each balancer running them again (reloaded, or
 * started if the failure left it stopped), a node that read the failed
 * files restarted with its own, one the failed plan stopped or restarted
 * started again (a restart that failed leaves it stopped), lb-web's states
 * and weights as they were; web and store nodes the failed apply started
 * that DESIRED lacks, stopped. A new DB node stays: leaving replication is
 * remove db's. Nothing else starts: what was down before stays down until up.
 */
export function planRestore(failed: Cluster, plan: readonly Action[], desired: Desired, observed: Observed): Action[] {
  const touched = new Set(plan.flatMap((a) => (a.kind === 'restart' || a.kind === 'stop' ? [a.process] : [])));
  const startable = new Set([...desired.processes.filter((p) => p.kind === 'lb').map((p) => p.name), ...touched]);
  const running = (n: string) => observed.processes.get(n)?.running === true;
  const back = planConverge(desired, observed).filter((a) => a.kind !== 'replicate' && !(a.kind === 'start' && !startable.has(a.process)));
  const gone = [failed.web, ...STORE_TIERS.map((t) => failed[t])].flatMap((nodes) => nodes.map((n) => n.name)).filter((n) => !desired.processes.some((p) => p.name === n) && running(n));
  return [...back, ...gone.map((process): Action => ({ kind: 'stop', process, reason: 'started by the apply that failed' }))];
}

/** A drained node is idle once no visitor came for this long (sticky ones come back within it). */
export const QUIET_S = 1;

/**
 * remove db NAME: lb-db without it first (the next master takes the
 * active role if it had it), then the masters that stay stop replicating
 * from it once they hold all it wrote, then it stops.
 */
export function planRemoveDb(name: string, previous: Cluster, desired: Desired, observed: Observed, force: boolean): Action[] {
  const { active, successor } = removableDb(name, previous, observed.writer, force);
  const running = (n: string) => observed.processes.get(n)?.running === true;
  // The writer moves first, as a switchover does: lb-db's reload then only drops a backup.
  const move: Action[] =
    active && running('lb-db')
      ? [{ kind: 'move-writer', from: running(name) ? name : null, to: successor.name, others: previous.db.map((n) => n.name).filter((n) => n !== successor.name), reason: `${name} is the active master: ${successor.name} takes the writes first` }]
      : [];
  return [
    ...move,
    ...planConverge(desired, observed),
    {
      kind: 'detach',
      node: name,
      from: desired.cluster.db.map((n) => n.name).filter(running),
      waitCaughtUp: running(name),
      reason: running(name) ? 'the other masters stop replicating from it once they hold all it wrote' : 'it is down: the others only forget it',
    },
    { kind: 'stop', process: name, reason: REMOVED },
  ];
}

/** Exit 2 for a DB node name CLUSTER does not have, naming those it has. */
export function noSuchDbNode(name: string, cluster: Cluster): HactlError {
  return badInput(`there is no DB node named ${JSON.stringify(name)}; this cluster has ${cluster.db.map((n) => n.name).join(', ')}`);
}

/**
 * NAME may leave: never the last DB node (it holds the app's data, and the
 * file would be left with an empty db: list), the active master (lb-db's
 * WRITER; with none known, the first) only with FORCE. Whether it is the
 * active one, and the master that takes over.
 */
export function removableDb(name: string, cluster: Cluster, writer: string | null | undefined, force: boolean): { active: boolean; successor: DbNode } {
  const index = cluster.db.findIndex((n) => n.name === name);
  const successor = cluster.db.find((n) => n.name !== name);
  if (index < 0) throw noSuchDbNode(name, cluster);
  if (!successor) {
    throw badInput(`${name} is the last DB node and holds the app's data: it cannot be removed, with or without --force`, [
      'to run without a database, delete the db: key from cluster.yaml by hand (after switching away from session_mode: db), then hactl up',
    ]);
  }
  const active = writer ? writer === name : index === 0;
  if (active && !force) {
    throw badInput(`${name} is the active master (lb-db sends every write to it); --force moves the active role to ${successor.name} first, or hactl switchover ${successor.name} does before you remove it`);
  }
  return { active, successor };
}

/** Modes whose sessions every web node reaches (a shared store), so lb-web may send a visitor anywhere. */
const SHARED_STORE: readonly SessionMode[] = ['db', 'memcached'];

/**
 * session-mode: the converge, except that leaving a shared store (db,
 * memcached) the app's files are written only after lb-web has reloaded.
 * In between, stored sessions still work on every node; the other way
 * round, a session created in files would be lost on the visitor's next,
 * unpinned request.
 */
export function planSessionMode(previous: Cluster, desired: Desired, observed: Observed): Action[] {
  if (previous.sessionMode === desired.cluster.sessionMode) return [];
  const plan = planConverge(desired, observed);
  if (!SHARED_STORE.includes(previous.sessionMode) || SHARED_STORE.includes(desired.cluster.sessionMode)) return plan;
  const isApp = (a: Action): a is WriteAction => a.kind === 'write' && a.fileKind === 'app';
  const rest = plan.filter((a) => !isApp(a));
  const later = plan.filter(isApp).map((a) => ({ ...a, reason: "after lb-web's reload: the app's session handler changes last" }));
  const lbWebDone = rest.map((a) => a.kind === 'sync-web-states' || (isProcessAction(a) && a.process === 'lb-web')).lastIndexOf(true);
  const at = lbWebDone < 0 ? rest.length : lbWebDone + 1;
  return [...rest.slice(0, at), ...later, ...rest.slice(at)];
}

/**
 * drain / enable / disable / weight: the runtime API commands for NAME
 * alone, after the CHANGED files are written (lb-web's config says the
 * state too, for its next start; no reload: RenderedFile.shape); undefined
 * when no lb-web answers.
 */
export function planSetWeb(name: string, next: Cluster, lbWeb: Observed['lbWeb'], changed: readonly FileRef[]): Action[] | undefined {
  return lbWeb && [...planWrites(changed), ...planWebStates(next.web.filter((n) => n.name === name), lbWeb, WEB_BACKEND)];
}

/** clean: what removed nodes left, but never what still runs. */
export function planClean(leftovers: Observed['leftovers']): Action[] {
  return leftovers
    .filter((l) => !l.running)
    .map((l) => ({ kind: 'remove-leftover', node: l.name, paths: l.paths, reason: 'no longer in cluster.yaml' }));
}
