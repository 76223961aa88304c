import { createHash } from 'node:crypto';
import type { Connection } from 'mysql2/promise';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { HactlError } from '../../errors.js';
import { socketCommand } from '../../haproxy/socket-cli.js';
import { bootstrapNode, connectMasters, connectRoot } from '../../mysql/bootstrap.js';
import { writeRendered } from '../../ops/write-rendered.js';
import { PACKAGE_ROOT } from '../../paths.js';
import type { RenderedFile } from '../../render/index.js';
import { localLayout } from '../../render/layout.js';
import type { Secrets } from '../../secrets/store.js';
import type { Cluster } from '../../spec/model.js';
import { findListener } from '../../util/listener.js';
import { connectAddress, hostPort } from '../../util/net.js';
import { httpStatus, tcpOpen } from '../../util/probe.js';
import type { Command, Runner } from '../../util/runner.js';
import { clusterProcesses, type Driver, type ProcessKind, type ProcessStatus, type Progress, type UpResult } from '../driver.js';
import * as cmd from './commands.js';
import { readState, writeState, type LocalState } from './state.js';
import { groupAlive, startDetached, stopGroup, waitFor } from './supervisor.js';

interface ProcessSpec {
  name: string;
  kind: ProcessKind;
  command: Command;
  env?: Record<string, string>;
  /** Hash of what the process runs with; a change restarts it (or reloads a balancer). */
  hash: string;
  /** The addresses it will listen on, checked to be free before it starts. */
  binds: { host: string; port: number }[];
  ready(): Promise<boolean>;
  masterSocket?: string;
}

const READY_TIMEOUT_MS = 30_000;

function hash(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

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

  /** Every process of the cluster, in start order: DB nodes, web nodes, lb-db, lb-web. */
  #specs(cluster: Cluster, files: RenderedFile[]): ProcessSpec[] {
    const content = (path: string) => files.find((f) => f.path === path)?.content ?? '';
    const config = (path: string) => join(this.configDir, path);
    const appDir = join(PACKAGE_ROOT, 'compose', 'web', 'app');
    const listen = connectAddress(cluster.listen);
    const specs: ProcessSpec[] = [];
    for (const n of cluster.db) {
      const command = cmd.mariadbd(config(`${n.name}/my.cnf`), this.#asRoot);
      specs.push({
        name: n.name,
        kind: 'db',
        command,
        hash: hash(command, content(`${n.name}/my.cnf`)),
        binds: [{ host: n.host, port: n.port }],
        ready: () => tcpOpen(n.host, n.port),
      });
    }
    for (const n of cluster.web) {
      const command = cmd.phpServer(n, appDir);
      // The app re-reads its settings on every request: a settings change
      // (say, the session mode) needs no restart, so it is not in the hash.
      specs.push({
        name: n.name,
        kind: 'web',
        command,
        env: cmd.phpEnv(config(`${n.name}/app.json`)),
        hash: hash(command),
        binds: [{ host: n.host, port: n.port }],
        ready: async () => (await httpStatus(`http://${hostPort(n.host, n.port)}${cluster.health.path}`)) === 200,
      });
    }
    const lbs = [
      { name: 'lb-db' as const, ports: [cluster.ports.db] },
      { name: 'lb-web' as const, ports: [cluster.ports.http, cluster.ports.stats] },
    ];
    for (const lb of lbs) {
      const command = cmd.haproxy(lb.name, config(`${lb.name}/haproxy.cfg`), this.#layout);
      const masterSocket = this.#layout.balancer(lb.name).masterSocket;
      specs.push({
        name: lb.name,
        kind: 'lb',
        command,
        hash: hash(command, content(`${lb.name}/haproxy.cfg`)),
        binds: lb.ports.map((port) => ({ host: cluster.listen, port })),
        masterSocket,
        ready: async () => existsSync(masterSocket) && (await Promise.all(lb.ports.map((p) => tcpOpen(listen, p)))).every(Boolean),
      });
    }
    return specs;
  }

  async up(cluster: Cluster, secrets: Secrets, files: RenderedFile[], progress: Progress): Promise<UpResult> {
    await writeRendered(this.configDir, files, this.runner);
    const state = readState(this.stateDir);
    const specs = this.#specs(cluster, files);
    const started: string[] = [];
    const reloaded: string[] = [];
    // Every address is checked before anything starts, so a taken port costs nothing.
    for (const spec of specs.filter((sp) => !(state[sp.name] && groupAlive(state[sp.name]!.pid)))) await this.#checkFree(spec);
    const lastDb = specs.filter((s) => s.kind === 'db').at(-1);
    try {
      for (const spec of specs) {
        const outcome = await this.#converge(spec, state, progress);
        if (outcome === 'started') started.push(spec.name);
        if (outcome === 'reloaded') reloaded.push(spec.name);
        // Once every DB node answers (idempotent, so run on every up: it also restarts a stopped replica).
        if (spec === lastDb) {
          progress('replication', 'users, database and master-master connections');
          await this.#bootstrap(cluster, secrets);
        }
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

  async #converge(spec: ProcessSpec, state: LocalState, progress: Progress): Promise<'started' | 'reloaded' | 'unchanged'> {
    const rec = state[spec.name];
    if (rec && groupAlive(rec.pid)) {
      if (rec.hash === spec.hash) return 'unchanged';
      if (spec.masterSocket) {
        progress(spec.name, 'reloading (hitless)');
        await socketCommand(spec.masterSocket, 'reload');
        state[spec.name] = { ...rec, hash: spec.hash };
        writeState(this.stateDir, state);
        return 'reloaded';
      }
      progress(spec.name, 'restarting: its settings changed');
      await stopGroup(rec.pid);
    }
    if (spec.kind === 'db') await this.#initDataDir(spec.name, progress);
    progress(spec.name, 'starting');
    const log = this.logFile(spec.name);
    const pid = startDetached(spec.command, { logFile: log, ...(spec.env ? { env: spec.env } : {}), cwd: this.stateDir });
    state[spec.name] = { pid, hash: spec.hash, startedAt: new Date().toISOString() };
    writeState(this.stateDir, state);
    try {
      await waitFor(`${spec.name} to answer`, () => {
        if (!groupAlive(pid)) throw new Error(`${spec.name} exited`);
        return spec.ready();
      }, READY_TIMEOUT_MS);
    } catch (err) {
      throw new HactlError(`${spec.name} did not start: ${(err as Error).message}`, 1, [`last lines of ${log}:`, ...tail(log).split('\n')]);
    }
    return 'started';
  }

  async #checkFree(spec: ProcessSpec): Promise<void> {
    for (const b of spec.binds) {
      if (await tcpOpen(connectAddress(b.host), b.port, 300)) {
        const holder = findListener(connectAddress(b.host), b.port);
        throw new HactlError(
          `${hostPort(b.host, b.port)} is already in use, so ${spec.name} cannot start${holder ? ` (held by pid ${holder.pid}: ${holder.command})` : ''}`,
        );
      }
    }
  }

  async #initDataDir(name: string, progress: Progress): Promise<void> {
    const paths = this.#layout.database(name)!;
    if (existsSync(join(paths.dataDir, 'mysql'))) return;
    progress(name, 'creating its data folder (mariadb-install-db)');
    // Made aside and renamed into place: an interrupted install (Ctrl-C) leaves
    // no half-made folder that the next up would take for a real one.
    const building = `${paths.dataDir}.installing`;
    rmSync(building, { recursive: true, force: true });
    rmSync(paths.dataDir, { recursive: true, force: true });
    const r = await this.runner.run(cmd.mariadbInstallDb(join(this.configDir, name, 'my.cnf'), building, this.#asRoot), { timeoutMs: 120_000 });
    if (r.exitCode !== 0) {
      rmSync(building, { recursive: true, force: true });
      throw new HactlError(`mariadb-install-db failed for ${name}`, 1, `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-12));
    }
    renameSync(building, paths.dataDir);
  }

  async #bootstrap(cluster: Cluster, secrets: Secrets): Promise<void> {
    const conns = [];
    try {
      for (const node of cluster.db) conns.push(await connectRoot(this.#layout.database(node.name)!.socket, secrets));
      // Every node gets its users before any replica connects, so no replica
      // starts by failing to log in; lb-db checks from 127.0.0.1, the source
      // the kernel picks towards loopback addresses.
      for (const conn of conns) await bootstrapNode(conn, cluster, secrets, '127.0.0.1');
      const masters = cluster.db.map((node) => ({ node, host: node.host }));
      for (const [i, conn] of conns.entries()) await connectMasters(conn, cluster.db[i]!, masters, secrets);
    } finally {
      for (const conn of conns) await conn.end();
    }
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
      return { name, kind, running, ...(running ? { pid: rec.pid } : {}) };
    });
  }

  balancerCommand(lb: 'lb-web' | 'lb-db', command: string): Promise<string> {
    return socketCommand(this.#layout.balancer(lb).adminSocket, command);
  }

  dbRoot(name: string, secrets: Secrets): Promise<Connection> {
    return connectRoot(this.#layout.database(name)!.socket, secrets);
  }

  /** Stops NAME and forgets it; the next converge (up) starts it afresh. */
  async restart(_cluster: Cluster, name: string, progress: Progress): Promise<void> {
    const state = readState(this.stateDir);
    const rec = state[name];
    if (rec && groupAlive(rec.pid)) {
      progress(name, 'stopping');
      await stopGroup(rec.pid);
    }
    delete state[name];
    writeState(this.stateDir, state);
  }
}
