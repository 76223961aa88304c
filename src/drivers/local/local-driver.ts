import { lbDbPorts, lbWebPorts } from '../../spec/endpoints.js';
import type { Connection } from 'mysql2/promise';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { HactlError } from '../../errors.js';
import { assertFree } from '../free-port.js';
import { socketCommand } from '../../haproxy/socket-cli.js';
import { connectRoot } from '../../mysql/bootstrap.js';
import { setUpReplication, type DbAccess } from '../../mysql/replication-setup.js';
import { fileLog, hitlessReload } from '../../haproxy/reload.js';
import { gracefulCommand, gracefulRestart } from '../../apache/graceful.js';
import { makeDirs, writeFileAtomic } from '../../util/atomic-write.js';
import { readIfThere } from '../../util/read-if-there.js';
import { blockedOnTheWay, chownTree, grantPassage } from '../../util/file-access.js';
import { changedFiles, writeRendered } from '../write-rendered.js';
import { PACKAGE_ROOT } from '../../paths.js';
import { DEBIAN_WWW_DATA, type RenderedFile } from '../../render/index.js';
import { localLayout } from '../../render/layout.js';
import { OWN_CONF, REDIS_CONF, SENTINEL_CONF, START_ENV } from '../../render/redis.js';
import { dbAgentListen } from '../../render/db-agent.js';
import type { Secrets } from '../../secrets/store.js';
import type { Cluster, DbNode, WebNode } from '../../spec/model.js';
import { connectAddress, hostPort } from '../../util/net.js';
import { httpStatus, tcpOpen } from '../../util/probe.js';
import type { Command, Runner } from '../../util/runner.js';
import { clusterProcesses, type Driver, type Leftover, type LogSource, type ProcessKind, type ProcessStatus, type ProcessStep, type RuntimeView, type Progress, type UpOptions, type UpResult } from '../driver.js';
import * as cmd from './commands.js';
import { readState, writeState, type LocalState } from './state.js';
import { groupAlive, startDetached, stopGroup, waitFor } from './supervisor.js';

interface ProcessSpec {
  name: string;
  kind: ProcessKind;
  command: Command;
  env?: Record<string, string>;
  /** How it is launched, for its hash (src/plan/process-hash.ts): a change restarts it (or reloads a balancer). */
  launch: unknown;
  /** The addresses it will listen on, checked to be free before it starts. */
  binds: { host: string; port: number }[];
  ready(): Promise<boolean>;
  /** What must be in place before it starts. */
  prepare?(progress: Progress): void;
  /** A balancer's hitless reload. */
  reload?(): Promise<unknown>;
}

const READY_TIMEOUT_MS = 30_000;

/** The PHP app every web node serves. */
const APP_DIR = join(PACKAGE_ROOT, 'compose', 'web', 'app');

function tail(file: string, lines = 12): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** The local runtime: real processes on this machine, each node on its own loopback address. */
export class LocalDriver implements Driver {
  readonly runtime = 'local' as const;
  readonly #layout;
  readonly #asRoot = process.getuid?.() === 0;

  constructor(
    private readonly stateDir: string,
    private readonly runner: Runner,
  ) {
    this.#layout = localLayout(stateDir);
  }

  get configDir(): string {
    return join(this.stateDir, 'config');
  }

  logFile(name: string): string {
    return join(this.stateDir, 'log', `${name}.log`);
  }

  logSource(name: string): LogSource {
    return { file: this.logFile(name) };
  }

  /** Every process of the cluster, in start order: session stores, DB nodes, web nodes, lb-db, lb-web. */
  #specs(cluster: Cluster): ProcessSpec[] {
    const config = (path: string) => join(this.configDir, path);
    const listen = connectAddress(cluster.listen);
    const specs: ProcessSpec[] = [];
    for (const n of cluster.memcached) {
      const command = cmd.memcached(n, this.#asRoot);
      specs.push({ name: n.name, kind: 'store', command, launch: command, binds: [{ host: n.host, port: n.port }], ready: () => tcpOpen(n.host, n.port) });
    }
    for (const [tier, conf] of [['redis', REDIS_CONF], ['sentinel', SENTINEL_CONF]] as const) {
      for (const n of cluster[tier]) {
        const paths = this.#layout.redis(n.name);
        const command = cmd.redisStart(tier, config(`${n.name}/${conf}`), config(`${n.name}/${START_ENV}`), join(paths.dataDir, OWN_CONF));
        specs.push({
          name: n.name,
          kind: 'store',
          command,
          launch: command,
          binds: [{ host: n.host, port: n.port }],
          ready: () => tcpOpen(n.host, n.port),
          prepare: () => makeDirs(paths.dataDir, 0o700),
        });
      }
    }
    for (const n of cluster.db) {
      const command = cmd.dbNode(config(`${n.name}/agent.env`), dbAgentListen(cluster, n, 'local'), cmd.mariadbd(config(`${n.name}/my.cnf`), this.#asRoot));
      specs.push({
        name: n.name,
        kind: 'db',
        command,
        launch: command,
        binds: [{ host: n.host, port: n.port }, { host: n.host, port: cluster.ports.db_agent }],
        ready: async () => (await tcpOpen(n.host, n.port)) && (await tcpOpen(n.host, cluster.ports.db_agent)),
      });
    }
    for (const n of cluster.web) {
      const command = cmd.apacheNode(config(`${n.name}/httpd.conf`));
      specs.push({
        name: n.name,
        kind: 'web',
        command,
        launch: command,
        binds: [{ host: n.host, port: n.port }],
        ready: async () => (await httpStatus(`http://${await this.webAddress(n)}${cluster.health.path}`)) === 200,
        prepare: (progress) => this.#prepareWeb(n.name, progress),
      });
    }
    const lbs = [
      { name: 'lb-db' as const, ports: lbDbPorts(cluster) },
      { name: 'lb-web' as const, ports: lbWebPorts(cluster) },
    ];
    for (const lb of lbs) {
      const binds = lb.ports.map((port) => ({ host: cluster.listen, port }));
      const listening = async () => (await Promise.all(lb.ports.map((p) => tcpOpen(listen, p)))).every(Boolean);
      if (lb.name === 'lb-web' && cluster.balancer.engine === 'apache') {
        specs.push(this.#apacheLbWeb(config('lb-web/httpd.conf'), binds, listening));
        continue;
      }
      const masterSocket = this.#layout.balancer(lb.name).masterSocket;
      const command = cmd.haproxy(lb.name, config(`${lb.name}/haproxy.cfg`), this.#layout);
      specs.push({
        name: lb.name,
        kind: 'lb',
        command,
        launch: command,
        binds,
        ready: async () => existsSync(masterSocket) && (await listening()),
        reload: () => hitlessReload(lb.name, this.#layout.balancer(lb.name), fileLog(this.logFile(lb.name))),
      });
    }
    return specs;
  }

  /**
   * lb-web as a private Apache: its Listen lines are part of how it is run,
   * since a graceful restart that binds a new address loses the whole
   * server when the address is taken (a changed port is a restart).
   */
  #apacheLbWeb(configFile: string, binds: ProcessSpec['binds'], listening: () => Promise<boolean>): ProcessSpec {
    const paths = this.#layout.apache();
    const command = cmd.apacheLbWeb(configFile);
    return {
      name: 'lb-web',
      kind: 'lb',
      command,
      launch: [command, binds],
      binds,
      ready: listening,
      prepare: () => {
        mkdirSync(paths.runDir, { recursive: true });
        // A pid file left by a killed Apache whose pid now names another process makes it refuse to start.
        rmSync(paths.pidFile, { force: true });
      },
      reload: () => gracefulRestart('lb-web', this.runner, gracefulCommand(cmd.APACHE2, configFile), fileLog(this.logFile('lb-web'))),
    };
  }

  async writeConfig(files: RenderedFile[]): Promise<void> {
    await writeRendered(this.configDir, files, this.runner, { onlyChanged: true });
  }

  async view(cluster: Cluster, files: RenderedFile[]): Promise<RuntimeView> {
    const running = new Map((await this.processes(cluster)).map((p) => [p.name, p]));
    return {
      processes: this.#specs(cluster).map(({ name, launch }) => ({ ...running.get(name)!, launch })),
      changed: changedFiles(this.configDir, files).map(({ path, kind }) => ({ path, kind })),
    };
  }

  async checkStarts(cluster: Cluster, starting: ReadonlySet<string>, progress: Progress): Promise<void> {
    for (const spec of this.#specs(cluster).filter((sp) => starting.has(sp.name))) {
      for (const b of spec.binds) await assertFree(b.host, b.port, spec.name, 'start');
      if (spec.kind === 'web') this.#openTheWay(spec.name, progress);
    }
  }

  /**
   * As root, a web node's Apache children run as www-data: they read the app
   * and its settings and write the node's data on every request. hactl's own
   * folder is opened to be passed through (not listed: secrets.json and the
   * logs stay 0600). A folder of the user's on the way (a clone under /root,
   * or in a 0700 temp folder) gets an ACL entry for www-data alone, said out
   * loud with its undo; its mode and its other users stay as they were.
   */
  #openTheWay(name: string, progress: Progress): void {
    if (!this.#asRoot) return;
    const mode = statSync(this.stateDir).mode & 0o777;
    if ((mode & 0o001) === 0) chmodSync(this.stateDir, mode | 0o011);
    const paths = this.#layout.web(name);
    for (const target of [APP_DIR, dirname(paths.settingsFile), paths.dataDir]) {
      for (let blocked = blockedOnTheWay(target, DEBIAN_WWW_DATA.user), granted: string | undefined; blocked; blocked = blockedOnTheWay(target, DEBIAN_WWW_DATA.user)) {
        if (blocked === granted || !grantPassage(blocked, DEBIAN_WWW_DATA.user)) {
          throw new HactlError(`${name} cannot start: its Apache serves as ${DEBIAN_WWW_DATA.user}, which may not pass through ${blocked} on the way to ${target}`, 1, [
            `let ${DEBIAN_WWW_DATA.user} alone pass through it with: setfacl -m u:${DEBIAN_WWW_DATA.user}:x ${blocked} (setfacl: Debian package acl)`,
            `or let everyone pass through it (not list it) with: chmod o+x ${blocked}`,
          ]);
        }
        granted = blocked;
        progress('passage', `${DEBIAN_WWW_DATA.user} may now pass through ${blocked} (not list it), for ${name}; undo: setfacl -x u:${DEBIAN_WWW_DATA.user} ${blocked}`);
      }
    }
  }

  /**
   * What a web node's Apache needs before it starts: its runtime folder, no
   * stale pid file (Apache refuses to start while the pid it names is alive,
   * and after a kill -9 that pid may be another process's by now), and, as
   * root, its data folders owned by the user its children run as.
   */
  #prepareWeb(name: string, progress: Progress): void {
    // A restart (php -S before) was not looked at by checkStarts.
    this.#openTheWay(name, progress);
    const paths = this.#layout.web(name);
    makeDirs(paths.runDir);
    rmSync(paths.pidFile, { force: true });
    makeDirs(dirname(paths.dataDir), 0o711);
    makeDirs(paths.sessions, 0o700);
    // Sessions and data of a node that ran as root before (php -S) become the children's.
    if (this.#asRoot && statSync(paths.dataDir).uid !== DEBIAN_WWW_DATA.uid) chownTree(paths.dataDir, DEBIAN_WWW_DATA);
  }

  async up(cluster: Cluster, secrets: Secrets, steps: ReadonlyMap<string, ProcessStep>, progress: Progress, options: UpOptions = {}): Promise<UpResult> {
    const specs = this.#specs(cluster);
    const state = readState(this.stateDir);
    const started: string[] = [];
    const reloaded: string[] = [];
    const lastDb = specs.filter((s) => s.kind === 'db').at(-1);
    const fresh = new Set<string>();
    try {
      for (const spec of specs) {
        const step = steps.get(spec.name);
        const outcome = await this.#carryOut(spec, step, state, progress, options, fresh);
        if (outcome === 'started') started.push(spec.name);
        if (outcome === 'reloaded') reloaded.push(spec.name);
        // Once every DB node answers; lb-db comes later, so a new node joins it only once it has caught up.
        if (spec === lastDb && options.replicate) await this.#bootstrap(cluster, secrets, fresh, progress);
      }
    } catch (err) {
      // Nothing half-running: stop what this run started, then report.
      for (const name of started.reverse()) {
        const rec = state[name];
        if (rec) await stopGroup(rec.pid);
        delete state[name];
      }
      writeState(this.stateDir, state);
      throw err;
    }
    return { started, reloaded };
  }

  /** One process's step of the plan; a restart ends as a start, so it counts as one. */
  async #carryOut(
    spec: ProcessSpec,
    step: ProcessStep | undefined,
    state: LocalState,
    progress: Progress,
    options: UpOptions,
    fresh: Set<string>,
  ): Promise<'started' | 'reloaded' | 'unchanged'> {
    if (!step) return 'unchanged';
    const rec = state[spec.name];
    if (step === 'reload' && rec && spec.reload) {
      progress(spec.name, 'reloading (hitless)');
      await spec.reload();
      return 'reloaded';
    }
    if (step === 'restart' && rec) {
      progress(spec.name, 'restarting: its settings changed');
      await stopGroup(rec.pid);
    }
    if (spec.kind === 'db' && (await this.#initDataDir(spec.name, progress))) fresh.add(spec.name);
    progress(spec.name, 'starting');
    spec.prepare?.(progress);
    const log = this.logFile(spec.name);
    const pid = startDetached(spec.command, { logFile: log, ...(spec.env ? { env: spec.env } : {}), cwd: this.stateDir });
    state[spec.name] = { pid, startedAt: new Date().toISOString() };
    writeState(this.stateDir, state);
    try {
      await waitFor(`${spec.name} to answer`, () => {
        if (!groupAlive(pid)) throw new Error(`${spec.name} exited`);
        return spec.ready();
      }, options.readyTimeoutMs ?? READY_TIMEOUT_MS);
    } catch (err) {
      // It may be running yet never ready (a web node failing its health check): not left behind.
      await stopGroup(pid);
      delete state[spec.name];
      writeState(this.stateDir, state);
      throw new HactlError(`${spec.name} did not start: ${(err as Error).message}`, 1, [`last lines of ${log}:`, ...tail(log).split('\n')]);
    }
    return 'started';
  }

  /** True when it made a new, empty data folder. */
  async #initDataDir(name: string, progress: Progress): Promise<boolean> {
    const paths = this.#layout.database(name)!;
    if (existsSync(join(paths.dataDir, 'mysql'))) return false;
    progress(name, 'creating its data folder (mariadb-install-db)');
    // Made aside and renamed into place: an interrupted install (Ctrl-C) leaves
    // no half-made folder that the next up would take for a real one. Each
    // attempt has a folder of its own: an interrupted one's mariadb-install-db
    // may still be writing to its folder, which cannot be removed under it.
    const building = `${paths.dataDir}${INSTALLING}${process.pid}`;
    removeStaleInstalls(paths.dataDir);
    rmSync(paths.dataDir, { recursive: true, force: true });
    const r = await this.runner.run(cmd.mariadbInstallDb(join(this.configDir, name, 'my.cnf'), building, this.#asRoot), { timeoutMs: 120_000 });
    if (r.exitCode !== 0) {
      rmSync(building, { recursive: true, force: true });
      throw new HactlError(`mariadb-install-db failed for ${name}`, 1, `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-12));
    }
    renameSync(building, paths.dataDir);
    return true;
  }

  #bootstrap(cluster: Cluster, secrets: Secrets, fresh: ReadonlySet<string>, progress: Progress): Promise<void> {
    return setUpReplication(cluster, secrets, fresh, this.dbAccess(cluster, secrets), this.runner, progress);
  }

  dbAccess(cluster: Cluster, secrets: Secrets): DbAccess {
    const socket = (node: DbNode) => this.#layout.database(node.name)!.socket;
    return {
      connect: (node) => connectRoot(socket(node), secrets),
      hostOf: (node) => node.host,
      // The source address the kernel picks towards another loopback address.
      checkFrom: '127.0.0.1',
      clone: (donor, node) => {
        // The password goes in a 0600 option file, never on a command line (ps shows those).
        const optionFile = join(this.stateDir, 'run', `${node.name}.clone.cnf`);
        writeFileAtomic(optionFile, `[client]\nuser=root\npassword=${secrets.db_root_password.reveal()}\n`, 0o600);
        return {
          commands: cmd.cloneCommands(optionFile, socket(donor), socket(node), cluster.database.name),
          dumpFile: join(this.stateDir, 'run', `${node.name}.clone.sql`),
          cleanup: () => rmSync(optionFile, { force: true }),
        };
      },
    };
  }

  async down(options: { purge: boolean }, progress: Progress): Promise<string[]> {
    const state = readState(this.stateDir);
    const kinds = ['lb-web', 'lb-db'];
    // Balancers first (no traffic to dying nodes), then web, then DB nodes.
    const order = Object.keys(state).sort((a, b) => Number(kinds.includes(b)) - Number(kinds.includes(a)));
    const stopped: string[] = [];
    for (const name of order) {
      const rec = state[name]!;
      if (groupAlive(rec.pid)) {
        progress(name, 'stopping');
        await stopGroup(rec.pid, 30_000);
        stopped.push(name);
      }
      delete state[name];
      writeState(this.stateDir, state);
    }
    if (options.purge) {
      for (const dir of ['data', 'log', 'run', 'config']) rmSync(join(this.stateDir, dir), { recursive: true, force: true });
    }
    return stopped;
  }

  async processes(cluster: Cluster): Promise<ProcessStatus[]> {
    const state = readState(this.stateDir);
    return clusterProcesses(cluster).map(({ name, kind }) => {
      const rec = state[name];
      const running = rec !== undefined && groupAlive(rec.pid);
      return { name, kind, running, ...(running ? { pid: rec.pid, pgid: rec.pid, startedAt: rec.startedAt } : {}) };
    });
  }

  balancerCommand(lb: 'lb-web' | 'lb-db', command: string, payload?: string): Promise<string> {
    return socketCommand(this.#layout.balancer(lb).adminSocket, command, undefined, payload === undefined ? {} : { payload });
  }

  dbRoot(name: string, secrets: Secrets): Promise<Connection> {
    return connectRoot(this.#layout.database(name)!.socket, secrets);
  }

  async webAddress(node: Pick<WebNode, 'name' | 'host' | 'port'>): Promise<string> {
    return hostPort(node.host, node.port);
  }

  dbAgentState(name: string): Promise<string | undefined> {
    return readIfThere(this.#layout.agent(name).stateFile);
  }

  /** Stops NAME and forgets it; the next converge (up) starts it afresh. */
  async stop(name: string, progress: Progress): Promise<void> {
    const state = readState(this.stateDir);
    const rec = state[name];
    if (rec && groupAlive(rec.pid)) {
      progress(name, 'stopping');
      await stopGroup(rec.pid);
    }
    delete state[name];
    writeState(this.stateDir, state);
  }

  /** SIGKILL to the whole group, as a crash would: no clean shutdown, the record stays. */
  async kill(name: string): Promise<void> {
    const rec = readState(this.stateDir)[name];
    if (!rec || !groupAlive(rec.pid)) return;
    try {
      process.kill(-rec.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await waitFor(`${name} to die`, () => !groupAlive(rec.pid), 10_000, 20);
  }

  /** Config, data, logs and sockets of nodes that cluster.yaml no longer has. */
  async leftovers(cluster: Cluster): Promise<Leftover[]> {
    const keep = new Set(clusterProcesses(cluster).map((p) => p.name));
    const state = readState(this.stateDir);
    const found = new Map<string, string[]>();
    const add = (name: string, path: string) => found.set(name, [...(found.get(name) ?? []), path]);
    for (const dir of ['config', 'data']) {
      for (const name of listDir(join(this.stateDir, dir))) {
        const node = name.split(INSTALLING)[0]!;
        if (node !== name || !keep.has(name)) add(node, join(this.stateDir, dir, name));
      }
    }
    for (const file of listDir(join(this.stateDir, 'log'))) {
      // NAME.log.1 is the older part of NAME's capped log (log-cap.ts).
      const name = file.replace(/\.log(\.1)?$/, '');
      if (!keep.has(name)) add(name, join(this.stateDir, 'log', file));
    }
    for (const file of listDir(join(this.stateDir, 'run'))) {
      // NAME.apache: a web node's Apache runtime folder.
      const name = file.replace(/(\.clone)?\.(sock|pid|sql|cnf|apache|agent)$/, '');
      if (name !== file && !keep.has(name) && !name.startsWith('lb-')) add(name, join(this.stateDir, 'run', file));
    }
    return [...found].map(([name, paths]) => ({ name, paths: paths.sort(), running: state[name] !== undefined && groupAlive(state[name]!.pid) }));
  }

  async removeLeftover(leftover: Leftover): Promise<void> {
    for (const path of leftover.paths) rmSync(path, { recursive: true, force: true });
    const state = readState(this.stateDir);
    if (state[leftover.name]) {
      delete state[leftover.name];
      writeState(this.stateDir, state);
    }
  }
}

/** Marks a data folder being built by mariadb-install-db: `mysql1.installing-<pid>`. */
const INSTALLING = '.installing-';

/** Earlier attempts' folders; one still being written to by an orphan is left for later. */
function removeStaleInstalls(dataDir: string): void {
  const parent = dirname(dataDir);
  const prefix = `${basename(dataDir)}${INSTALLING}`;
  for (const name of listDir(parent).filter((n) => n.startsWith(prefix))) {
    try {
      rmSync(join(parent, name), { recursive: true, force: true });
    } catch {
      // ENOTEMPTY: its mariadb-install-db is still running; hactl clean takes it later.
    }
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
