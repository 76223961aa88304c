import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import mysql from 'mysql2/promise';
import { startDaemon } from './process-group.js';
import { freePort } from './ports.js';

export interface MariaDbOptions {
  /** Loopback address mariadbd binds to (e.g. 127.0.2.1). */
  host: string;
  /** Default: a free port on `host`. */
  port?: number;
  /** Database created for the app user. Default `hactl`. */
  database?: string;
  /** App user, created with all privileges on `database`. Default `hactl_app`. */
  user?: string;
  /** Default: random. */
  password?: string;
  /** Default 1. */
  serverId?: number;
  /** What `@@report_host` answers, the logical node name. Default `mysql1`. */
  reportHost?: string;
  /** More mariadbd options, e.g. for replication (`--log-bin=...`). */
  args?: string[];
}

export interface MariaDb {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** Unix socket; root (no password) can log in through it. */
  readonly socket: string;
  readonly dataDir: string;
  /** A new root connection over the socket; the caller ends it. */
  connectRoot(): Promise<mysql.Connection>;
  /** One statement as root, on a short-lived connection. */
  query<T = mysql.RowDataPacket>(sql: string, params?: unknown[]): Promise<T[]>;
  /** The tail of the server's error log. */
  log(lines?: number): string;
  /** Stops mariadbd (its whole process group) and deletes its files. */
  stop(): Promise<void>;
}

const NAME = /^[A-Za-z0-9_]{1,64}$/;
const START_TIMEOUT_MS = 60_000;

/**
 * A throwaway MariaDB in a temp dir, for tests: its own datadir, socket and
 * port, a real app user with a password (no --skip-grant-tables). Works as
 * root (CI) by passing --user=root, which mariadbd requires then.
 */
export async function startMariaDb(options: MariaDbOptions): Promise<MariaDb> {
  const database = options.database ?? 'hactl';
  const user = options.user ?? 'hactl_app';
  for (const [what, value] of [['database', database], ['user', user]] as const) {
    if (!NAME.test(value)) throw new Error(`startMariaDb: ${what} ${JSON.stringify(value)} must match ${NAME}`);
  }
  const password = options.password ?? randomBytes(12).toString('hex');
  const host = options.host;
  const port = options.port ?? (await freePort(host));
  // A short path: a unix socket path must fit in 108 bytes.
  const dir = await mkdtemp(join(tmpdir(), 'hactl-db-'));
  const dataDir = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  const asRoot = process.getuid?.() === 0 ? [`--user=${userInfo().username}`] : [];

  try {
    await execa('mariadb-install-db', [
      '--no-defaults',
      `--datadir=${dataDir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
      ...asRoot,
    ]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  const daemon = startDaemon(
    'mariadbd',
    [
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--socket=${socket}`,
      `--bind-address=${host}`,
      `--port=${port}`,
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      `--server-id=${options.serverId ?? 1}`,
      `--report-host=${options.reportHost ?? 'mysql1'}`,
      '--skip-name-resolve',
      // Throwaway data: trade durability for speed.
      '--innodb-buffer-pool-size=32M',
      '--innodb-flush-log-at-trx-commit=2',
      '--skip-innodb-doublewrite',
      ...asRoot,
      ...(options.args ?? []),
    ],
    { logFile: join(dir, 'mariadbd.log') },
  );

  const connectRoot = () => mysql.createConnection({ socketPath: socket, user: 'root', password: '' });
  const stop = async () => {
    await daemon.stop(15_000);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (daemon.hasExited()) throw new Error(`mariadbd exited (${await daemon.exited})`);
      try {
        const connection = await connectRoot();
        await connection.end();
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(100);
      }
    }
    const root = await connectRoot();
    try {
      await root.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4`);
      await root.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', password]);
      await root.query(`GRANT ALL PRIVILEGES ON \`${database}\`.* TO ?@?`, [user, '%']);
    } finally {
      await root.end();
    }
  } catch (error) {
    const log = daemon.log();
    await stop();
    throw new Error(`startMariaDb on ${host}:${port} failed: ${(error as Error).message}\n${log}`);
  }

  return {
    host,
    port,
    user,
    password,
    database,
    socket,
    dataDir,
    connectRoot,
    async query<T>(sql: string, params: unknown[] = []) {
      const connection = await connectRoot();
      try {
        const [rows] = await connection.query(sql, params);
        return rows as T[];
      } finally {
        await connection.end();
      }
    },
    log: (lines) => daemon.log(lines),
    stop,
  };
}
