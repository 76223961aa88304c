import { lbDbPorts, lbWebPorts } from '../../spec/endpoints.js';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readIfThere } from '../../util/read-if-there.js';
import type { Connection } from 'mysql2/promise';
import { HactlError } from '../../errors.js';
import { assertFree } from '../free-port.js';
import { commandLog, hitlessReload, type ReloadOutcome } from '../../haproxy/reload.js';
import { socketCommand } from '../../haproxy/socket-cli.js';
import { connectRoot } from '../../mysql/bootstrap.js';
import { setUpReplication, type DbAccess } from '../../mysql/replication-setup.js';
import { changedFiles, writeRendered } from '../write-rendered.js';
import { PACKAGE_ROOT } from '../../paths.js';
import { gracefulRestart } from '../../apache/graceful.js';
import { composeRunDir } from '../../render/compose-file.js';
import { IMAGES, imageOf, type Image } from '../../render/compose-images.js';
import type { RenderedFile } from '../../render/index.js';
import { composeLayout } from '../../render/layout.js';
import type { Secrets } from '../../secrets/store.js';
import type { Cluster, WebNode } from '../../spec/model.js';
import { connectAddress, hostPort } from '../../util/net.js';
import { httpStatus, socketOpen, tcpOpen } from '../../util/probe.js';
import type { Command, Runner } from '../../util/runner.js';
import { clusterProcesses, type Balancer, type Driver, type Leftover, type LogSource, type ProcessStatus, type ProcessStep, type RuntimeView, type Progress, type UpOptions, type UpResult } from '../driver.js';
import { waitFor } from '../local/supervisor.js';
import * as cmd from './commands.js';

const READY_TIMEOUT_MS = 60_000;

/**
 * The compose runtime: one container per node, named as in cluster.yaml,
 * applied with docker compose. The rendered files and each container's
 * socket folder live under .hactl/compose and are mounted, so hactl talks
 * to HAProxy's admin and master sockets and to MariaDB's socket exactly as
 * in the local runtime; a config change is a reload, not a rebuild.
 */
export class ComposeDriver implements Driver {
  readonly runtime = 'compose' as const;
  #cli: cmd.ComposeCli | undefined;
  #imageSources: Map<string, string> | undefined;

  constructor(
    private readonly stateDir: string,
    private readonly runner: Runner,
    /** The compose project: the cluster's name. */
    private readonly project: string,
    /** cluster.yaml's compose.container_prefix: a node's container is this plus its name. */
    private readonly containerPrefix = '',
  ) {}

  /** The container of node (or balancer) NAME. */
  #container(name: string): string {
    return this.containerPrefix + name;
  }

  /** The node (or balancer) whose container is CONTAINER: compose.container_prefix taken off. */
  #node(container: string): string {
    return container.startsWith(this.containerPrefix) ? container.slice(this.containerPrefix.length) : container;
  }

  get dir(): string {
    return join(this.stateDir, 'compose');
  }

  get configDir(): string {
    return this.dir;
  }

  #file(): string {
    return join(this.dir, 'compose.yaml');
  }

  #run(name: string): string {
    return join(this.dir, composeRunDir(name));
  }

  #sockets(lb: Balancer) {
    const run = this.#run(lb);
    const inside = composeLayout.balancer(lb);
    const host = (p: string) => join(run, p.slice('/run/haproxy/'.length));
    return { adminSocket: host(inside.adminSocket), masterSocket: host(inside.masterSocket), stateFile: host(inside.stateFile) };
  }

  #dbSocket(name: string): string {
    return join(this.#run(name), 'mysqld.sock');
  }

  async #exec(command: Command, what: string, timeoutMs = 120_000): Promise<string> {
    const r = await this.runner.run(command, { timeoutMs, cwd: this.dir });
    if (r.notFound) throw new HactlError(`${command[0]} is not installed: the compose runtime needs Docker (bash scripts/docker-setup.sh installs it), or use --runtime local`);
    if (r.exitCode !== 0) throw new HactlError(`${what} failed`, 1, `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-15));
    return r.stdout;
  }

  /** A Docker engine that answers, and a compose command; said plainly when either is missing. */
  async #compose(): Promise<cmd.ComposeCli> {
    if (this.#cli) return this.#cli;
    const engine = await this.runner.run(cmd.engineVersion, { timeoutMs: 10_000 });
    if (engine.notFound || engine.exitCode !== 0) {
      throw new HactlError('no Docker engine answers, and the compose runtime needs one', 1, [
        'install and start one with: sudo bash scripts/docker-setup.sh',
        'or run the cluster as local processes: --runtime local (runtime: local in cluster.yaml)',
      ]);
    }
    for (const cli of cmd.COMPOSE_CLIS) {
      const r = await this.runner.run([cli[0], [...cli[1], 'version']], { timeoutMs: 10_000 });
      if (r.exitCode === 0) return (this.#cli = cli);
    }
    throw new HactlError('neither `docker compose` nor `docker-compose` works here', 1, ['install one with: sudo bash scripts/docker-setup.sh']);
  }

  #compose_(cli: cmd.ComposeCli, ...args: string[]): Command {
    return cmd.compose(cli, this.project, this.#file(), ...args);
  }

  logSource(name: string, lines: number, follow: boolean): LogSource {
    return { command: cmd.logs(this.#container(name), lines, follow) };
  }

  async writeConfig(files: RenderedFile[]): Promise<void> {
    await writeRendered(this.dir, files, this.runner, { onlyChanged: true });
  }

  /**
   * Each image's sources as one hash, by tag: read once per command (a plan's
   * view and its up both need them, and they do not change in between).
   */
  #sources(): Map<string, string> {
    return (this.#imageSources ??= new Map(Object.values(IMAGES).map((image) => [image.tag, folderHash(join(PACKAGE_ROOT, 'compose', image.context))])));
  }

  /**
   * Images are built from compose/ and reused while their sources are the
   * same (a hash of the build folder, kept as a label): after an update of
   * hactl (the app is copied into the web image) they are built again. A
   * failed build shows its log's tail, before anything is started. Only the
   * images CLUSTER runs: Apache's is built once lb-web runs on it.
   */
  async #images(cluster: Cluster, progress: Progress): Promise<Set<string>> {
    const rebuilt = new Set<string>();
    const used = new Set<Image>(clusterProcesses(cluster).map((p) => imageOf(cluster, p)));
    for (const image of Object.values(IMAGES).filter((i) => used.has(i))) {
      const context = join(PACKAGE_ROOT, 'compose', image.context);
      const source = this.#sources().get(image.tag)!;
      const built = await this.runner.run(cmd.imageSource(image.tag), { timeoutMs: 30_000 });
      if (built.exitCode === 0 && built.stdout.trim() === source) continue;
      progress(image.tag, built.exitCode === 0 ? 'its sources changed: building it again' : 'building the image (once; later runs reuse it)');
      await this.#exec(cmd.buildImage(image.tag, context, source), `building ${image.tag}`, 900_000);
      if (built.exitCode === 0) rebuilt.add(image.tag);
    }
    return rebuilt;
  }

  async view(cluster: Cluster, files: RenderedFile[]): Promise<RuntimeView> {
    // A container is run from its image: an image whose sources changed (hactl updated) is
    // a different program, which the plan restarts the container into. Its config is its
    // mounted files; compose.yaml itself compose applies when a container starts. A
    // balancer's published ports are part of its container too: compose up makes a new
    // one for a new port (tls: adds ports.https), which a reload cannot give.
    const sources = this.#sources();
    const published = (p: { name: string; kind: string }) => (p.kind !== 'lb' ? [] : [cluster.listen, ...(p.name === 'lb-web' ? lbWebPorts(cluster) : lbDbPorts(cluster))]);
    return {
      processes: (await this.processes(cluster)).map((p) => ({ ...p, launch: p.kind === 'lb' ? { image: sources.get(imageOf(cluster, p).tag), published: published(p) } : sources.get(imageOf(cluster, p).tag) })),
      changed: changedFiles(this.dir, files).map(({ path, kind }) => ({ path, kind })),
    };
  }

  async up(cluster: Cluster, secrets: Secrets, steps: ReadonlyMap<string, ProcessStep>, progress: Progress, options: UpOptions = {}): Promise<UpResult> {
    if (process.getuid?.() !== 0) {
      throw new HactlError('the compose runtime runs as root: it drives the Docker engine and hands files to the containers\' users', 1, [
        'run hactl with sudo, or use --runtime local',
      ]);
    }
    const cli = await this.#compose();
    const to = (step: ProcessStep) => [...steps].filter(([, s]) => s === step).map(([name]) => name);
    // Apache's lb-web shares no socket: hactl reaches it on its published stats port.
    for (const p of clusterProcesses(cluster).filter((p) => p.kind !== 'web' && p.kind !== 'store' && imageOf(cluster, p) !== IMAGES.apache)) {
      mkdirSync(this.#run(p.name), { recursive: true });
      // The container's own user (mysql) makes the socket there.
      chmodSync(this.#run(p.name), 0o777);
    }
    const rebuilt = await this.#images(cluster, progress);
    // A DB node whose data volume does not exist yet starts empty: the local
    // runtime's "new data folder", cloned from the others if they hold data.
    const volumes = new Set(await this.#volumes());
    const fresh = new Set(cluster.db.filter((n) => !volumes.has(this.#volume(n.name))).map((n) => n.name));
    // A restart ends as a start (a new container, or the same one started again), as locally.
    const started = [...to('start'), ...to('restart')];
    const ranFrom = new Map((await this.#containers()).map((c) => [c.name, c.image]));
    try {
      progress('compose', `docker compose up (${this.project})`);
      await this.#exec(this.#compose_(cli, 'up', '-d', '--no-build'), 'docker compose up', 300_000);
      // Those whose image was just built again, or is another one now (lb-web's engine
      // switched), compose up has already replaced by a new container.
      const imageTag = new Map(clusterProcesses(cluster).map((p) => [p.name, imageOf(cluster, p).tag]));
      const recreated = to('restart').filter((name) => rebuilt.has(imageTag.get(name)!) || ranFrom.get(name) !== imageTag.get(name));
      if (recreated.length > 0) progress(recreated.join(', '), 'recreated from its image');
      const restart = to('restart').filter((name) => !recreated.includes(name));
      if (restart.length > 0) {
        progress(restart.join(', '), 'restarting: its settings changed');
        await this.#exec(this.#compose_(cli, 'restart', ...restart), 'docker compose restart');
      }
      await this.#waitReady(cluster, progress, options.readyTimeoutMs ?? READY_TIMEOUT_MS);
      if (options.replicate) await this.#bootstrap(cluster, secrets, fresh, progress);
    } catch (err) {
      // Nothing half-running: what this run started goes again (its data volume stays, for clean).
      for (const name of to('start')) await this.stop(name, () => undefined).catch(() => undefined);
      // Nothing of the project left running (its very first up failed, say on a container name
      // another project holds): its network and the empty volumes this run made go too.
      if ((await this.#containers()).length === 0) await this.#removeEmptyProject(cli, fresh);
      throw err;
    }
    const reloaded = to('reload');
    for (const lb of reloaded) {
      progress(lb, 'reloading (hitless)');
      await this.#reload(cluster, lb as Balancer);
    }
    return { started, reloaded };
  }

  async #removeEmptyProject(cli: cmd.ComposeCli, fresh: ReadonlySet<string>): Promise<void> {
    await this.runner.run(this.#compose_(cli, 'down', '--remove-orphans'), { timeoutMs: 60_000, cwd: this.dir });
    const made = new Set(await this.#volumes());
    for (const node of fresh) if (made.has(this.#volume(node))) await this.runner.run(cmd.removeVolume(this.#volume(node)), { timeoutMs: 30_000 });
  }

  /** A published port taken by another process or container fails here, named, before anything starts. */
  async checkStarts(cluster: Cluster, starting: ReadonlySet<string>): Promise<void> {
    const published: [Balancer, number][] = [...lbWebPorts(cluster).map((port): [Balancer, number] => ['lb-web', port]), ...lbDbPorts(cluster).map((port): [Balancer, number] => ['lb-db', port])];
    for (const [lb, port] of published) if (starting.has(lb)) await assertFree(cluster.listen, port, lb, 'publish it');
  }

  async #address(name: string): Promise<string> {
    const ip = (await this.#exec(cmd.containerAddress(this.#container(name)), `finding ${name}'s address`)).trim().split(/\s+/)[0];
    if (!ip) throw new HactlError(`${name} has no address on the compose network`);
    return ip;
  }

  async #waitReady(cluster: Cluster, progress: Progress, timeoutMs: number): Promise<void> {
    progress('compose', 'waiting for every container to answer');
    const listen = connectAddress(cluster.listen);
    const checks: [string, () => Promise<boolean>][] = [
      ...cluster.db.map((n): [string, () => Promise<boolean>] => [n.name, () => socketOpen(this.#dbSocket(n.name))]),
      ...cluster.web.map((n): [string, () => Promise<boolean>] => [
        n.name,
        async () => (await httpStatus(`http://${await this.webAddress(n)}${cluster.health.path}`)) === 200,
      ]),
      ['lb-db', async () => existsSync(this.#sockets('lb-db').masterSocket) && (await Promise.all(lbDbPorts(cluster).map((p) => tcpOpen(listen, p)))).every(Boolean)],
      [
        'lb-web',
        async () =>
          cluster.balancer.engine === 'apache'
            ? (await tcpOpen(listen, cluster.ports.http)) && (await tcpOpen(listen, cluster.ports.stats))
            : existsSync(this.#sockets('lb-web').masterSocket) && (await tcpOpen(listen, cluster.ports.http)),
      ],
    ];
    for (const [name, ready] of checks) {
      try {
        await waitFor(`${name} to answer`, () => ready().catch(() => false), timeoutMs, 200);
      } catch (err) {
        throw new HactlError(`${name} did not start: ${(err as Error).message}`, 1, [`see: hactl logs ${name}`]);
      }
    }
  }

  #bootstrap(cluster: Cluster, secrets: Secrets, fresh: ReadonlySet<string>, progress: Progress): Promise<void> {
    return setUpReplication(cluster, secrets, fresh, this.dbAccess(cluster, secrets), this.runner, progress);
  }

  dbAccess(cluster: Cluster, secrets: Secrets): DbAccess {
    return {
      connect: (node) => connectRoot(this.#dbSocket(node.name), secrets),
      // Containers reach each other by name on the project's network.
      hostOf: (node) => node.name,
      // lb-db's address on the network is Docker's choice; the DB port is not published.
      checkFrom: '%',
      clone: (donor, node) => ({
        commands: cmd.cloneCommands(this.#container(donor.name), this.#container(node.name), cluster.database.name),
        dumpFile: join(this.dir, `${node.name}.clone.sql`),
        cleanup: () => undefined,
      }),
    };
  }

  async down(options: { purge: boolean }, progress: Progress): Promise<string[]> {
    if (!existsSync(this.#file())) return [];
    const cli = await this.#compose();
    const running = (await this.#containers()).filter((c) => c.running).map((c) => c.name);
    progress('compose', `docker compose down${options.purge ? ' (and its volumes)' : ''}`);
    // Orphans too: nodes removed from cluster.yaml whose container is left.
    // 30 s, as for a removed node: MariaDB gets time to shut down cleanly.
    await this.#exec(this.#compose_(cli, 'down', '--timeout', '30', '--remove-orphans', ...(options.purge ? ['--volumes'] : [])), 'docker compose down', 300_000);
    return running;
  }

  async #containers(): Promise<{ name: string; container: string; running: boolean; id: string; image: string }[]> {
    const r = await this.runner.run(cmd.containers(this.project), { timeoutMs: 20_000 });
    if (r.exitCode !== 0) return [];
    return r.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const [container, st, id, image] = l.split('\t');
        return { name: this.#node(container!), container: container!, running: st === 'running', id: id ?? '', image: image ?? '' };
      });
  }

  async processes(cluster: Cluster, options: { detail?: boolean } = {}): Promise<ProcessStatus[]> {
    const seen = new Map((await this.#containers()).map((c) => [c.name, c]));
    const started = options.detail ? await this.#startTimes([...seen.values()].filter((c) => c.running).map((c) => c.id)) : new Map<string, string>();
    return clusterProcesses(cluster).map(({ name, kind }) => {
      const c = seen.get(name);
      const at = c?.running ? started.get(name) : undefined;
      return { name, kind, running: c?.running === true, ...(c?.id ? { container: c.id, containerName: c.container } : {}), ...(at ? { startedAt: at } : {}) };
    });
  }

  /** By container name, when each of IDS last started: one docker inspect for them all. */
  async #startTimes(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const r = await this.runner.run(cmd.containerStarts(ids), { timeoutMs: 20_000 });
    if (r.exitCode !== 0) return new Map();
    return new Map(
      r.stdout
        .split('\n')
        .map((l) => l.split('\t'))
        .filter((f): f is [string, string] => f.length === 2 && !Number.isNaN(Date.parse(f[1]!)))
        .map(([name, at]) => [this.#node(name.replace(/^\//, '')), new Date(at).toISOString()]),
    );
  }

  async stop(name: string, progress: Progress): Promise<void> {
    if (!(await this.#containers()).some((c) => c.name === name)) return;
    progress(name, 'stopping');
    for (const command of cmd.stopContainer(this.#container(name))) await this.#exec(command, `stopping ${name}`, 60_000);
  }

  /** The project's volumes by name; a DB node's is `<project>_<node>-data`. */
  async #volumes(): Promise<string[]> {
    const r = await this.runner.run(cmd.volumes(this.project), { timeoutMs: 20_000 });
    return r.exitCode === 0 ? r.stdout.split('\n').filter(Boolean) : [];
  }

  #volume(node: string): string {
    return `${this.project}_${node}-data`;
  }

  async kill(name: string): Promise<void> {
    await this.runner.run(cmd.kill(this.#container(name)), { timeoutMs: 20_000 });
  }

  /**
   * Hitless reload of a running balancer; fails if its new worker (HAProxy)
   * or generation (Apache: a graceful restart run in its container) did not start.
   */
  #reload(cluster: Cluster, lb: Balancer): Promise<ReloadOutcome | { ms: number }> {
    const log = commandLog(`hactl logs ${lb}`, this.runner, (since) => cmd.logsSince(this.#container(lb), since));
    if (imageOf(cluster, { name: lb, kind: 'lb' }) === IMAGES.apache) return gracefulRestart(lb, this.runner, cmd.gracefulInside(this.#container(lb), composeLayout.apache().configDir), log);
    return hitlessReload(lb, this.#sockets(lb), log);
  }

  /** Rendered folders, socket folders and data volumes of nodes no longer in cluster.yaml. */
  async leftovers(cluster: Cluster): Promise<Leftover[]> {
    const keep = new Set(clusterProcesses(cluster).map((p) => p.name));
    const containers = new Map((await this.#containers()).map((c) => [c.name, c.running]));
    const found = new Map<string, string[]>();
    const add = (name: string, what: string) => found.set(name, [...(found.get(name) ?? []), what]);
    for (const dir of ['', 'run']) {
      for (const name of listDirs(join(this.dir, dir))) if (name !== 'run' && name !== 'logs' && !keep.has(name)) add(name, join(this.dir, dir, name));
    }
    for (const volume of await this.#volumes()) {
      const node = volume.slice(`${this.project}_`.length).replace(/-data$/, '');
      if (!keep.has(node)) add(node, `volume ${volume}`);
    }
    return [...found].map(([name, paths]) => ({ name, paths: paths.sort(), running: containers.get(name) === true }));
  }

  async removeLeftover(leftover: Leftover): Promise<void> {
    if (new Map((await this.#containers()).map((c) => [c.name, c])).has(leftover.name)) await this.stop(leftover.name, () => undefined);
    for (const what of leftover.paths) {
      if (what.startsWith('volume ')) await this.#exec(cmd.removeVolume(what.slice('volume '.length)), `removing ${what}`);
      else rmSync(what, { recursive: true, force: true });
    }
  }

  balancerCommand(lb: Balancer, command: string, payload?: string): Promise<string> {
    return socketCommand(this.#sockets(lb).adminSocket, command, undefined, payload === undefined ? {} : { payload });
  }

  dbRoot(name: string, secrets: Secrets): Promise<Connection> {
    return connectRoot(this.#dbSocket(name), secrets);
  }

  async webAddress(node: Pick<WebNode, 'name' | 'host' | 'port'>): Promise<string> {
    return hostPort(await this.#address(node.name), node.port);
  }

  dbAgentState(name: string): Promise<string | undefined> {
    // The container's /run/mysqld is this folder.
    return readIfThere(join(this.#run(name), basename(composeLayout.agent(name).stateFile)));
  }
}

function listDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

/** Every file under DIR, by relative path and content: what an image is built from. */
function folderHash(dir: string): string {
  const h = createHash('sha256');
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path);
      else if (e.isFile()) h.update(path).update('\0').update(readFileSync(join(dir, path))).update('\0');
    }
  };
  walk('');
  return h.digest('hex').slice(0, 16);
}
