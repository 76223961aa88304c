import { describe, expect, it } from 'vitest';
import { clusterProcesses } from '../../src/drivers/driver.js';
import type { ServerAdmin } from '../../src/haproxy/servers-state.js';
import { describeAction, type Action } from '../../src/plan/action.js';
import { planAddDb, planClean, planRemoveDb, planRemoveStore, planRemoveWeb, planRestart, planRestore, planRollback, planSessionMode, planSetWeb, planUp } from '../../src/plan/changes.js';
import type { Desired, Leftover, Observed, ObservedProcess, StalledLink } from '../../src/plan/observed.js';
import { renderCluster, type RenderedFile } from '../../src/render/index.js';
import { composeLayout, localLayout } from '../../src/render/layout.js';
import { loadTemplateSources } from '../../src/render/templates.js';
import { wrap } from '../../src/secrets/store.js';
import { validCluster } from '../../src/spec/load.js';
import type { Cluster, ConcreteRuntime } from '../../src/spec/model.js';

/**
 * Every operation's plan, from (desired, observed) as plain data: a world
 * where what runs is a map, what is on disk is a map, and lb-web's view is
 * a list. The clusters are real cluster.yaml files rendered for each
 * runtime, so the files a plan writes are the ones the runtime has.
 */

const SECRETS = wrap({ db_root_password: 'r', replication_password: 'p', app_password: 'a', stats_password: 's', dashboard_password: 'd', redis_password: 'q' });

function cluster(extra: { web?: string; db?: string; session?: string; more?: string } = {}): Cluster {
  return validCluster(
    'cluster.yaml',
    `name: shop\nsession_mode: ${extra.session ?? 'sticky'}\nweb: ${extra.web ?? '[web1, web2]'}\ndb: ${extra.db ?? '[mysql1, mysql2]'}\n${extra.more ?? ''}`,
  ).cluster;
}

/** The certificate lb-web serves in this world, with tls: what hactl cert set or renew changes. */
let servedCert = 'CERTIFICATE-1';

function render(c: Cluster, runtime: ConcreteRuntime): RenderedFile[] {
  return renderCluster(c, SECRETS, { runtime, layout: runtime === 'local' ? localLayout('/srv/.hactl') : composeLayout, composeDir: '/opt/compose' }, loadTemplateSources(), servedCert);
}

/** A process's hash in this world: the files of its own (the app's settings are re-read per request, lb-web's certificate swapped, a Redis node's peers read at start: not in it). */
function hashOf(name: string, files: RenderedFile[]): string {
  return JSON.stringify(files.filter((f) => f.path.startsWith(`${name}/`) && f.kind !== 'app' && f.kind !== 'cert' && f.kind !== 'peers').map((f) => f.shape ?? f.content));
}

/** How every process is run in this world (a command line, an image's sources). */
const LAUNCH = 'launch-1';

interface World {
  files: RenderedFile[];
  processes: Map<string, ObservedProcess>;
  lbWeb: ServerAdmin[] | undefined;
  leftovers: Leftover[];
  stalled: StalledLink[];
  writer: string | null | undefined;
}

/** A cluster running exactly as C says, on RUNTIME. */
function running(c: Cluster, runtime: ConcreteRuntime): World {
  const files = render(c, runtime);
  return {
    files,
    processes: new Map(clusterProcesses(c).map((p) => [p.name, { running: true, hash: hashOf(p.name, files), launch: LAUNCH }])),
    lbWeb: c.web.map((n) => ({ backend: 'web', name: n.name, state: n.state, weight: n.weight })),
    leftovers: [],
    stalled: [],
    writer: c.db[0]?.name ?? null,
  };
}

const nothing = (): World => ({ files: [], processes: new Map(), lbWeb: undefined, leftovers: [], stalled: [], writer: undefined });

/** What the planner is given when the world is WORLD and cluster.yaml says NEXT. */
function view(next: Cluster, runtime: ConcreteRuntime, world: World): { desired: Desired; observed: Observed } {
  const files = render(next, runtime);
  const onDisk = new Map(world.files.map((f) => [f.path, f.content]));
  return {
    desired: { cluster: next, files: files.map(({ path, kind }) => ({ path, kind })), processes: clusterProcesses(next).map((p) => ({ ...p, hash: hashOf(p.name, files), launch: LAUNCH })) },
    observed: {
      processes: world.processes,
      changed: files.filter((f) => onDisk.get(f.path) !== f.content).map(({ path, kind }) => ({ path, kind })),
      lbWeb: world.lbWeb,
      leftovers: world.leftovers,
      stalled: world.stalled,
      writer: world.writer,
    },
  };
}

/** A plan as a person reads it: "on: what". */
const lines = (plan: readonly Action[]) => plan.map((a) => Object.values(describeAction(a)).join(': '));

describe.each(['local', 'compose'] as const)('plans on %s', (runtime) => {
  const compose = runtime === 'compose' ? ['config: write compose.yaml'] : [];
  // A local web node is an Apache of its own, with its own httpd.conf (compose's image has one).
  const httpd = (...nodes: string[]) => (runtime === 'local' ? nodes.map((n) => `config: write ${n}/httpd.conf`) : []);
  // A DB node's files: its MariaDB's, its agent's, and locally root's login for the agent.
  const dbFiles = (n: string) => [`config: write ${n}/my.cnf`, `config: write ${n}/agent.env`, ...(runtime === 'local' ? [`config: write ${n}/client.cnf`] : [])];
  const base = cluster();

  describe('up', () => {
    it('a fresh cluster: every file written, every process started in start order, then lb-web told the states', () => {
      const { desired, observed } = view(base, runtime, nothing());
      expect(lines(planUp(desired, observed))).toEqual([
        'config: write lb-web/haproxy.cfg',
        'config: write lb-db/haproxy.cfg',
        ...dbFiles('mysql1'),
        ...dbFiles('mysql2'),
        'config: write web1/app.json',
        'config: write web2/app.json',
        ...httpd('web1', 'web2'),
        ...compose,
        'mysql1: start',
        'mysql2: start',
        'replication: users, database, master-master connections (a new node is cloned first)',
        'web1: start',
        'web2: start',
        'lb-db: start',
        'lb-web: start',
        'lb-web: node states and weights from cluster.yaml',
      ]);
    });

    it('remove memcached: the web nodes stop using it (their settings written) before it stops', () => {
      const before = cluster({ session: 'memcached', more: 'memcached: [mc1, mc2, mc3]\n' });
      const after = cluster({ session: 'memcached', more: 'memcached: [mc1, mc2]\n' });
      const { desired, observed } = view(after, runtime, running(before, runtime));
      expect(lines(planRemoveStore('mc3', before, desired, observed))).toEqual([
        'config: write web1/app.json',
        'config: write web2/app.json',
        ...compose,
        'mc3: stop',
      ]);
    });

    it('rollback to a version with a web node fewer: drained, its visitors awaited, out of rotation, the converge, then it stops; a version without a DB node is refused', () => {
      const before = cluster({ web: '[web1, web2, web3]' });
      const after = cluster({ web: '[web1, web2]' });
      const { desired, observed } = view(after, runtime, running(before, runtime));
      const plan = lines(planRollback(before, desired, observed, 30));
      expect(plan.slice(0, 2)).toEqual(['lb-web: set server web/web3 state drain', 'web3: wait until its sessions end (at most 30 s)']);
      expect(plan).toContain('lb-web: set server web/web3 state maint');
      expect(plan.at(-1)).toBe('web3: stop');
      expect(plan.indexOf('lb-web: reload (hitless)')).toBeGreaterThan(plan.indexOf('lb-web: set server web/web3 state maint'));
      const fewerDb = cluster({ db: '[mysql1]' });
      const v = view(fewerDb, runtime, running(cluster(), runtime));
      expect(() => planRollback(cluster(), v.desired, v.observed, 30)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/that version has no mysql2: a DB node leaves with hactl remove db mysql2/) }));
    });

    it('restore after a failed apply: files back, lb-web reloaded with them, the node it started stopped; nothing else starts', () => {
      const failed = cluster({ web: '[web1, web2, web3]' });
      const world = running(failed, runtime);
      world.processes.set('web2', { running: false });
      const { desired, observed } = view(base, runtime, world);
      const plan = lines(planRestore(failed, [], desired, observed));
      expect(plan).toContain('config: write lb-web/haproxy.cfg');
      expect(plan.indexOf('lb-web: reload (hitless)')).toBeGreaterThan(plan.indexOf('config: write lb-web/haproxy.cfg'));
      expect(plan.at(-1)).toBe('web3: stop');
      expect(plan.filter((l) => /: start$|^replication/.test(l))).toEqual([]);
      // A balancer the failure left stopped runs again, with what served.
      world.processes.set('lb-web', { running: false });
      expect(lines(planRestore(failed, [], ...(Object.values(view(base, runtime, world)) as [Desired, Observed])))).toContain('lb-web: start');
      // A node the failed plan restarted, left stopped by its failed restart, starts again; web2 (down before) does not.
      const restarted = lines(planRestore(failed, [{ kind: 'restart', process: 'web1', hash: 'h', launch: 'l', reason: 'its settings changed' }], ...(Object.values(view(base, runtime, { ...world, processes: new Map(world.processes).set('web1', { running: false }) })) as [Desired, Observed])));
      expect(restarted).toContain('web1: start');
      expect(restarted).not.toContain('web2: start');
    });

    it('restore when nothing was changed yet (the check failed): no step', () => {
      const { desired, observed } = view(base, runtime, running(base, runtime));
      expect(planRestore(cluster({ web: '[web1, web2, web3]' }), [], desired, observed)).toEqual([]);
    });

    it('remove redis of the primary: a replica takes over first, then lb-db without it, then it stops', () => {
      const before = cluster({ session: 'redis', more: 'redis: [redis1, redis2, redis3]\n' });
      const after = cluster({ session: 'redis', more: 'redis: [redis2, redis3]\n' });
      const { desired, observed } = view(after, runtime, running(before, runtime));
      const plan = lines(planRemoveStore('redis1', before, desired, { ...observed, redisPrimary: 'redis1' }));
      expect(plan[0]).toBe('redis1: a replica becomes the Redis primary first (SENTINEL FAILOVER)');
      expect(plan.slice(-2)).toEqual(['lb-db: reload (hitless)', 'redis1: stop']);
      // Where the others are is read at start only: no Redis node or Sentinel restarts.
      expect(plan.filter((l) => / (start|restart)$/.test(l))).toEqual([]);
      expect(plan).toContain('config: write lb-db/haproxy.cfg');
    });

    it('remove redis of a replica: no failover; down to one node, the Sentinels (left out of cluster.yaml) stop too', () => {
      const before = cluster({ session: 'redis', more: 'redis: [redis1, redis2]\n' });
      const after = cluster({ session: 'redis', more: 'redis: [redis1]\n' });
      const { desired, observed } = view(after, runtime, running(before, runtime));
      const plan = lines(planRemoveStore('redis2', before, desired, { ...observed, redisPrimary: 'redis1' }));
      expect(plan).not.toContain('redis2: a replica becomes the Redis primary first (SENTINEL FAILOVER)');
      expect(plan.slice(-4)).toEqual(['redis2: stop', 'sentinel1: stop', 'sentinel2: stop', 'sentinel3: stop']);
    });

    describe('a new certificate (hactl cert set, cert renew)', () => {
      const tls = (engine = 'haproxy') => cluster({ more: `tls: {}\nbalancer: {engine: ${engine}}\n` });
      const newCert = (c: Cluster, world: World) => {
        servedCert = 'CERTIFICATE-2';
        try {
          return view(c, runtime, world);
        } finally {
          servedCert = 'CERTIFICATE-1';
        }
      };

      it('HAProxy: written, then swapped through the runtime API; no reload', () => {
        const c = tls();
        const { desired, observed } = newCert(c, running(c, runtime));
        expect(lines(planUp(desired, observed))).toEqual(['config: write lb-web/site.pem', 'lb-web: serve lb-web/site.pem (set ssl cert, no reload)']);
      });

      it('Apache: written, then read by a graceful restart, after which lb-web is told the states again', () => {
        const c = tls('apache');
        const { desired, observed } = newCert(c, running(c, runtime));
        expect(lines(planUp(desired, observed))).toEqual(['config: write lb-web/site.pem', 'lb-web: reload (hitless)', 'lb-web: node states and weights from cluster.yaml']);
      });

      it('a lb-web that starts or reloads anyway reads it: no swap', () => {
        const c = tls();
        const stopped = running(c, runtime);
        stopped.processes.set('lb-web', { running: false });
        stopped.lbWeb = undefined;
        expect(lines(planUp(newCert(c, stopped).desired, newCert(c, stopped).observed))).toEqual(['config: write lb-web/site.pem', 'lb-web: start', 'lb-web: node states and weights from cluster.yaml']);
        const redirect = cluster({ more: 'tls: {redirect: true}\n' });
        const { desired, observed } = newCert(redirect, running(c, runtime));
        expect(lines(planUp(desired, observed))).toEqual(['config: write lb-web/haproxy.cfg', 'config: write lb-web/site.pem', 'lb-web: reload (hitless)', 'lb-web: node states and weights from cluster.yaml']);
      });
    });

    it('a running cluster as cluster.yaml says: nothing', () => {
      const { desired, observed } = view(base, runtime, running(base, runtime));
      expect(planUp(desired, observed)).toEqual([]);
    });

    it('a crashed node: it alone starts', () => {
      const world = running(base, runtime);
      world.processes.set('web2', { running: false, hash: world.processes.get('web2')!.hash });
      const { desired, observed } = view(base, runtime, world);
      expect(lines(planUp(desired, observed))).toEqual(['web2: start']);
    });

    it('a stopped balancer: it starts, and is told the states once it runs', () => {
      const world = running(base, runtime);
      world.processes.set('lb-web', { running: false });
      world.lbWeb = undefined;
      const { desired, observed } = view(base, runtime, world);
      expect(lines(planUp(desired, observed))).toEqual(['lb-web: start', 'lb-web: node states and weights from cluster.yaml']);
    });

    it("config drift: a DB node's settings edited on disk are written back and it restarts", () => {
      const world = running(base, runtime);
      world.files = world.files.map((f) => (f.path === 'mysql1/my.cnf' ? { ...f, content: `${f.content}# edited\n` } : f));
      world.processes.set('mysql1', { running: true, hash: 'older' });
      const { desired, observed } = view(base, runtime, world);
      expect(lines(planUp(desired, observed))).toEqual(['config: write mysql1/my.cnf', 'mysql1: restart', 'replication: users, database, master-master connections (a new node is cloned first)']);
    });

    it('a web node added to cluster.yaml by hand: its files, its start, then a hitless reload of lb-web', () => {
      const next = cluster({ web: '[web1, web2, web3]' });
      const { desired, observed } = view(next, runtime, running(base, runtime));
      expect(lines(planUp(desired, observed))).toEqual([
        'config: write lb-web/haproxy.cfg',
        'config: write web3/app.json',
        ...httpd('web3'),
        ...compose,
        'web3: start',
        'lb-web: reload (hitless)',
        'lb-web: node states and weights from cluster.yaml',
      ]);
    });

    it('a node drained in cluster.yaml by hand while lb-web runs: its config written for a later start, one runtime API command, no reload', () => {
      const drained = validCluster('cluster.yaml', 'name: shop\nweb:\n  - web1\n  - {name: web2, state: drain}\ndb: [mysql1, mysql2]\n').cluster;
      const { desired, observed } = view(drained, runtime, running(base, runtime));
      expect(lines(planUp(desired, observed))).toEqual(['config: write lb-web/haproxy.cfg', 'lb-web: set server web/web2 state drain']);
    });

    it('hactl reload: both balancers, hitless, whatever changed', () => {
      const { desired, observed } = view(base, runtime, running(base, runtime));
      expect(lines(planUp(desired, observed, { reloadBalancers: true }))).toEqual([
        'lb-db: reload (hitless)',
        'lb-web: reload (hitless)',
        'lb-web: node states and weights from cluster.yaml',
      ]);
    });

    it('a crashed DB node: it starts, then replication is set up again before anything else', () => {
      const world = running(base, runtime);
      world.processes.set('mysql2', { running: false });
      const { desired, observed } = view(base, runtime, world);
      expect(planUp(desired, observed).map((a) => a.kind)).toEqual(['start', 'replicate']);
    });

    it('a replication connection stopped by hand (or broken): replication set up again, nothing else', () => {
      const world = { ...running(base, runtime), stalled: [{ node: 'mysql2', from: 'mysql1', why: 'IO No, SQL No' }] };
      const { desired, observed } = view(base, runtime, world);
      const plan = planUp(desired, observed);
      expect(lines(plan)).toEqual(['replication: users, database, master-master connections (a new node is cloned first)']);
      expect(plan[0]?.reason).toBe('mysql2 does not replicate from mysql1 (IO No, SQL No)');
    });

    it('a stalled connection from a master cluster.yaml no longer has: not this plan\'s (remove db detaches it)', () => {
      const world = { ...running(base, runtime), stalled: [{ node: 'mysql1', from: 'mysql3', why: 'IO No, SQL Yes' }] };
      const { desired, observed } = view(base, runtime, world);
      expect(planUp(desired, observed)).toEqual([]);
    });

    it('hactl updated (how every process is run changed): each restarts, the balancers too (a reload keeps the old program), DB nodes then replication first', () => {
      const world = running(base, runtime);
      for (const [name, p] of world.processes) world.processes.set(name, { ...p, launch: 'launch-0' });
      const { desired, observed } = view(base, runtime, world);
      expect(lines(planUp(desired, observed))).toEqual([
        'mysql1: restart',
        'mysql2: restart',
        'replication: users, database, master-master connections (a new node is cloned first)',
        'web1: restart',
        'web2: restart',
        'lb-db: restart',
        'lb-web: restart',
        'lb-web: node states and weights from cluster.yaml',
      ]);
    });

    it('restart web1: out of lb-web first, its requests finished, stopped, started afresh, back in; nothing else', () => {
      const { desired, observed } = view(base, runtime, running(base, runtime));
      expect(lines(planRestart('web1', desired, observed))).toEqual([
        'lb-web: set server web/web1 state maint',
        'web1: wait until its sessions end (at most 5 s)',
        'web1: stop',
        'web1: start',
        'lb-web: set server web/web1 state ready',
      ]);
    });

    it('restart web1 goes back to the state cluster.yaml gives it (drain), and a node out of rotation already is just restarted', () => {
      const drained = cluster({ web: '[{name: web1, state: drain}, web2]' });
      const { desired, observed } = view(drained, runtime, running(drained, runtime));
      expect(lines(planRestart('web1', desired, observed)).at(-1)).toBe('lb-web: set server web/web1 state drain');
      const maint = cluster({ web: '[{name: web1, state: maint}, web2]' });
      const out = view(maint, runtime, running(maint, runtime));
      expect(lines(planRestart('web1', out.desired, out.observed))).toEqual(['web1: stop', 'web1: start']);
    });

    it('restart of a DB node or a balancer, or of a web node lb-web does not run: stop, then start', () => {
      const { desired, observed } = view(base, runtime, running(base, runtime));
      expect(lines(planRestart('mysql2', desired, observed)).slice(0, 2)).toEqual(['mysql2: stop', 'mysql2: start']);
      const noLbWeb = { ...running(base, runtime), lbWeb: undefined };
      const v = view(base, runtime, noLbWeb);
      expect(lines(planRestart('web1', v.desired, v.observed)).slice(0, 1)).toEqual(['web1: stop']);
    });
  });

  describe('add db', () => {
    const next = cluster({ db: '[mysql1, mysql2, mysql3]' });

    it('the new master starts (and is cloned, joined) before lb-db reloads with it', () => {
      const { desired, observed } = view(next, runtime, running(base, runtime));
      const plan = lines(planAddDb('mysql3', desired, observed));
      expect(plan).toEqual(['config: write lb-db/haproxy.cfg', ...dbFiles('mysql3'), ...compose, 'mysql3: start', 'replication: users, database, master-master connections (a new node is cloned first)', 'lb-db: reload (hitless)']);
    });

    it('what an earlier mysql3 left goes first, its config folder too: its files are written again though they were on disk', () => {
      const world = { ...running(base, runtime), leftovers: [{ name: 'mysql3', paths: ['/srv/.hactl/config/mysql3', '/srv/.hactl/data/mysql3'], running: false }] };
      world.files = [...world.files, ...render(next, runtime).filter((f) => f.path.startsWith('mysql3/'))];
      const { desired, observed } = view(next, runtime, world);
      expect(lines(planAddDb('mysql3', desired, observed))).toEqual([
        'mysql3: remove /srv/.hactl/config/mysql3, /srv/.hactl/data/mysql3',
        'config: write lb-db/haproxy.cfg',
        ...compose,
        ...dbFiles('mysql3'),
        'mysql3: start',
        'replication: users, database, master-master connections (a new node is cloned first)',
        'lb-db: reload (hitless)',
      ]);
    });

    it('refused (exit 2) while an earlier mysql3 still runs', () => {
      const world = { ...running(base, runtime), leftovers: [{ name: 'mysql3', paths: [], running: true }] };
      const { desired, observed } = view(next, runtime, world);
      expect(() => planAddDb('mysql3', desired, observed)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining('still running') }));
    });
  });

  describe('remove web', () => {
    const next = cluster({ web: '[web1]' });

    it('drain, its sessions end, maintenance, what is on its way, lb-web reloads without it, it stops', () => {
      const { desired, observed } = view(next, runtime, running(base, runtime));
      const plan = planRemoveWeb('web2', desired, observed, 30);
      expect(lines(plan)).toEqual([
        'lb-web: set server web/web2 state drain',
        'web2: wait until its sessions end (at most 30 s)',
        'lb-web: set server web/web2 state maint',
        'web2: wait until its sessions end (at most 5 s)',
        'config: write lb-web/haproxy.cfg',
        ...compose,
        'lb-web: reload (hitless)',
        'lb-web: node states and weights from cluster.yaml',
        'web2: stop',
      ]);
      // Sticky visitors come back within a second: idle means none came for at least that long.
      expect(plan[1]).toMatchObject({ kind: 'wait-idle', quietS: 1 });
    });

    it('lb-web down: nothing to drain; its config is written and it starts', () => {
      const world = running(base, runtime);
      world.processes.set('lb-web', { running: false });
      world.lbWeb = undefined;
      const { desired, observed } = view(next, runtime, world);
      expect(lines(planRemoveWeb('web2', desired, observed, 30))).toEqual([
        'config: write lb-web/haproxy.cfg',
        ...compose,
        'lb-web: start',
        'lb-web: node states and weights from cluster.yaml',
        'web2: stop',
      ]);
    });
  });

  describe('remove db', () => {
    const three = cluster({ db: '[mysql1, mysql2, mysql3]' });

    it('a backup: lb-db without it, the others detach once caught up, it stops', () => {
      const next = cluster();
      const { desired, observed } = view(next, runtime, running(three, runtime));
      const plan = planRemoveDb('mysql3', three, desired, observed, false);
      expect(lines(plan)).toEqual([
        'config: write lb-db/haproxy.cfg',
        ...compose,
        'lb-db: reload (hitless)',
        'mysql3: detach from replication (mysql1, mysql2)',
        'mysql3: stop',
      ]);
      expect(plan.find((a) => a.kind === 'detach')).toMatchObject({ waitCaughtUp: true });
    });

    it('a crashed node: the others only forget it (nothing to wait for)', () => {
      const world = running(three, runtime);
      world.processes.set('mysql3', { running: false });
      const { desired, observed } = view(cluster(), runtime, world);
      expect(planRemoveDb('mysql3', three, desired, observed, false).find((a) => a.kind === 'detach')).toMatchObject({ waitCaughtUp: false, from: ['mysql1', 'mysql2'] });
    });

    it('the active master with --force: the writer moves to the next master first (a switchover), then lb-db reloads without it', () => {
      const next = cluster({ db: '[mysql2, mysql3]' });
      const { desired, observed } = view(next, runtime, running(three, runtime));
      const plan = planRemoveDb('mysql1', three, desired, observed, true);
      expect(lines(plan).slice(0, 1)).toEqual(['lb-db: move the writer from mysql1 to mysql2']);
      expect(plan[0]).toMatchObject({ kind: 'move-writer', from: 'mysql1', to: 'mysql2', others: ['mysql1', 'mysql3'] });
      expect(lines(plan)).toContain('lb-db: reload (hitless)');
    });

    it("the active master is lb-db's writer, not the first in cluster.yaml: after a failover to mysql2, mysql1 leaves without --force and mysql2 needs it", () => {
      const world = { ...running(three, runtime), writer: 'mysql2' };
      const { desired, observed } = view(cluster({ db: '[mysql2, mysql3]' }), runtime, world);
      expect(planRemoveDb('mysql1', three, desired, observed, false).some((a) => a.kind === 'move-writer')).toBe(false);
      const without2 = view(cluster({ db: '[mysql1, mysql3]' }), runtime, world);
      expect(() => planRemoveDb('mysql2', three, without2.desired, without2.observed, false)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/mysql2 is the active master/) }));
    });

    it.each([
      ['the active master without --force', 'mysql1', three, false, /active master/],
      ['the last DB node, even with --force', 'mysql1', cluster({ db: '[mysql1]' }), true, /last DB node/],
      ['a node it does not have', 'mysql9', three, true, /no DB node named "mysql9"/],
    ])('refused (exit 2): %s', (_, name, previous, force, message) => {
      const { desired, observed } = view(previous, runtime, running(previous, runtime));
      expect(() => planRemoveDb(name, previous, desired, observed, force)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(message) }));
    });
  });

  describe('session-mode', () => {
    it('sticky → db: lb-web and the app written, lb-web reloaded; no web node restarts', () => {
      const next = cluster({ session: 'db' });
      const { desired, observed } = view(next, runtime, running(base, runtime));
      const plan = lines(planSessionMode(base, desired, observed));
      expect(plan).toEqual([
        'config: write lb-web/haproxy.cfg',
        'config: write web1/app.json',
        'config: write web2/app.json',
        'lb-web: reload (hitless)',
        'lb-web: node states and weights from cluster.yaml',
      ]);
    });

    it("db → sticky: the app's handler changes only after lb-web's reload", () => {
      const previous = cluster({ session: 'db' });
      const { desired, observed } = view(base, runtime, running(previous, runtime));
      expect(lines(planSessionMode(previous, desired, observed))).toEqual([
        'config: write lb-web/haproxy.cfg',
        'lb-web: reload (hitless)',
        'lb-web: node states and weights from cluster.yaml',
        'config: write web1/app.json',
        'config: write web2/app.json',
      ]);
    });

    it('the mode it already has: nothing', () => {
      const { desired, observed } = view(base, runtime, running(base, runtime));
      expect(planSessionMode(base, desired, observed)).toEqual([]);
    });
  });

  describe('drain, enable, disable, weight', () => {
    const edited = (yaml: string) => validCluster('cluster.yaml', `name: shop\nweb:\n  - ${yaml}\n  - web2\ndb: [mysql1, mysql2]\n`).cluster;

    it.each([
      ['drain', '{name: web1, state: drain}', ['lb-web: set server web/web1 state drain']],
      ['disable', '{name: web1, state: maint}', ['lb-web: set server web/web1 state maint']],
      ['weight', '{name: web1, weight: 40}', ['lb-web: set weight web/web1 40']],
      ['enable, already in rotation', 'web1', []],
    ])('%s: exactly the runtime API commands, no reload', (_, yaml, expected) => {
      expect(lines(planSetWeb('web1', edited(yaml), running(base, runtime).lbWeb, [])!)).toEqual(expected);
    });

    it("lb-web's config, which says the state for its next start, is written first; still no reload", () => {
      const plan = planSetWeb('web1', edited('{name: web1, state: drain}'), running(base, runtime).lbWeb, [{ path: 'lb-web/haproxy.cfg', kind: 'haproxy' }])!;
      expect(lines(plan)).toEqual(['config: write lb-web/haproxy.cfg', 'lb-web: set server web/web1 state drain']);
    });

    it('lb-web down: no plan (cluster.yaml alone changes; the next start applies it)', () => {
      expect(planSetWeb('web1', edited('{name: web1, state: drain}'), undefined, [{ path: 'lb-web/haproxy.cfg', kind: 'haproxy' }])).toBeUndefined();
    });
  });

  it("clean: what removed nodes left, never what still runs", () => {
    const plan = planClean([
      { name: 'web3', paths: ['/srv/.hactl/config/web3'], running: false },
      { name: 'mysql3', paths: ['/srv/.hactl/data/mysql3'], running: true },
    ]);
    expect(lines(plan)).toEqual(['web3: remove /srv/.hactl/config/web3']);
  });
});
