import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import mysql from 'mysql2/promise';
import { readState } from '../../src/drivers/local/state.js';
import { groupAlive } from '../../src/drivers/local/supervisor.js';

// The compiled CLI, as users run it (`npm test` builds first).
export const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function hactlIn(dir: string, ...args: string[]): Promise<CliResult> {
  const r = await execa('node', [MAIN, ...args], { cwd: dir, reject: false, env: { NO_COLOR: '1' } });
  return { code: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/**
 * A cluster project of a test's own, on loopback addresses no other test
 * uses: entry points on 127.0.OCTET.1, web nodes on 127.0.(OCTET+10).n,
 * DB nodes on 127.0.(OCTET+20).n.
 */
export class TestCluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'hactl-cluster-'));
  readonly listen: string;

  readonly runtime: 'local' | 'compose';
  /** Compose: put before each node's name to make its container's (cluster.yaml's compose.container_prefix). */
  readonly containerPrefix: string;
  /** lb-web's engine: cluster.yaml's, then what switchEngine made it. */
  engine: 'haproxy' | 'apache';

  constructor(
    readonly octet: number,
    options: { sessionMode?: 'none' | 'sticky' | 'db'; web?: string[]; db?: string[]; runtime?: 'local' | 'compose'; engine?: 'haproxy' | 'apache'; containerPrefix?: string } = {},
  ) {
    this.listen = `127.0.${octet}.1`;
    // mkdtemp makes it 0700: as root, the web nodes' Apache children (www-data) must pass through it.
    chmodSync(this.dir, 0o711);
    this.runtime = options.runtime ?? 'local';
    this.engine = options.engine ?? 'haproxy';
    this.containerPrefix = options.containerPrefix ?? '';
    writeFileSync(
      join(this.dir, 'cluster.yaml'),
      `name: test${octet}
runtime: ${this.runtime}
balancer: {engine: ${this.engine}}
compose: {container_prefix: "${options.containerPrefix ?? ''}"}
session_mode: ${options.sessionMode ?? 'sticky'}
listen: ${this.listen}
ports: {http: 18080, stats: 18404, db: 13307, dashboard: 19000}
defaults:
  web: {host: "127.0.${octet + 10}.{n}"}
  db: {host: "127.0.${octet + 20}.{n}"}
web: [${(options.web ?? ['web1', 'web2']).join(', ')}]
db: [${(options.db ?? ['mysql1', 'mysql2']).join(', ')}]
`,
    );
  }

  /** lb-web's sticky cookie and what it holds for a node: HAProxy's SERVERID=S1, Apache's ROUTEID=.S1. */
  get stickyCookie(): { name: string; value: RegExp } {
    return this.engine === 'apache' ? { name: 'ROUTEID', value: /^\.S\d+$/ } : { name: 'SERVERID', value: /^S\d+$/ };
  }

  /** hactl engine ENGINE on the running cluster; what the tests expect follows it once it succeeded. */
  async switchEngine(engine: 'haproxy' | 'apache', ...args: string[]): Promise<CliResult> {
    const r = await this.hactl('engine', engine, ...args);
    if (r.code === 0) this.engine = engine;
    return r;
  }

  get url(): string {
    return `http://${this.listen}:18080`;
  }

  hactl(...args: string[]): Promise<CliResult> {
    return hactlIn(this.dir, ...args);
  }

  secrets(): Record<string, string> {
    return JSON.parse(readFileSync(join(this.dir, '.hactl/secrets.json'), 'utf8'));
  }

  /** The app's connection: through lb-db. */
  app(): Promise<mysql.Connection> {
    return mysql.createConnection({ host: this.listen, port: 13307, user: 'hactl_app', password: this.secrets().app_password, database: 'hactl' });
  }

  /** The app's login on one DB node directly, not through lb-db (local runtime: the node's own address). */
  appOn(node: string): Promise<mysql.Connection> {
    const n = Number(/\d+$/.exec(node)![0]);
    return mysql.createConnection({ host: `127.0.${this.octet + 20}.${n}`, port: 3306, user: 'hactl_app', password: this.secrets().app_password, database: 'hactl' });
  }

  /** Root on one DB node, directly (its unix socket; mounted from the container in compose). */
  root(node: string): Promise<mysql.Connection> {
    const socketPath = join(this.dir, this.runtime === 'local' ? `.hactl/run/${node}.sock` : `.hactl/compose/run/${node}/mysqld.sock`);
    return mysql.createConnection({ socketPath, user: 'root', password: this.secrets().db_root_password, database: 'hactl' });
  }

  /** A crash: SIGKILL to the node's process group, or `docker kill` of its container. */
  async kill(node: string): Promise<void> {
    if (this.runtime === 'local') {
      const pgid = readState(join(this.dir, '.hactl'))[node]!.pid;
      process.kill(-pgid, 'SIGKILL');
      // Dead, as docker kill returns once it is: a request sent meanwhile would meet a dying node.
      await eventually(`${node}'s processes to be gone`, async () => !groupAlive(pgid), 5_000);
      return;
    }
    const r = await execa('docker', ['kill', this.containerPrefix + node], { reject: false });
    if (r.exitCode !== 0) throw new Error(`docker kill ${node}: ${r.stderr}`);
  }

  /** `hactl up`, then wait until status says healthy (checks need a moment to pass rise). */
  async startHealthy(): Promise<void> {
    const r = await this.hactl('up');
    if (r.code !== 0) throw new Error(`hactl up failed:\n${r.stderr}`);
    await eventually('a healthy cluster', async () => (await this.hactl('status')).code === 0, 30_000);
  }

  async destroy(): Promise<void> {
    await this.hactl('down', '--purge');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll until CHECK returns something truthy, or fail after TIMEOUT with WHAT. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
