import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { appSettings, type AppDb, type AppSettings, type SessionMode } from './app-settings.js';
import { request } from './http.js';
import { freePort } from './ports.js';
import { startDaemon } from './process-group.js';

export const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../compose/web/app');

export interface PhpAppOptions {
  /** Loopback address to listen on, e.g. 127.0.1.1. */
  host: string;
  /** Default: a free port on `host`. */
  port?: number;
  /** Logical node name. Default `web1`. */
  name?: string;
  mode?: SessionMode;
  db?: AppDb;
  /** Last word on the settings, after the defaults of appSettings(). */
  settings?: (base: AppSettings) => AppSettings;
  /** PHP_CLI_SERVER_WORKERS. Default 4. */
  workers?: number;
  /** php -d options, e.g. { 'session.gc_divisor': '1' }. */
  ini?: Record<string, string>;
}

export interface PhpApp {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Temp dir holding settings, sessions, data and the server log. */
  readonly dir: string;
  readonly settingsPath: string;
  /** The settings last written. */
  readonly settings: AppSettings;
  /** Rewrites the settings file (atomically); the app reads it on its next request. */
  writeSettings(settings: AppSettings | ((current: AppSettings) => AppSettings)): Promise<void>;
  /** Writes raw text as the settings file, e.g. to test a broken file. */
  writeRawSettings(text: string): Promise<void>;
  /** The tail of php -S's log (one line per request, plus the app's error_log). */
  log(lines?: number): string;
  /** Kills the whole process group (php -S workers outlive their parent) and deletes the temp dir. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 15_000;

/** Runs the app with `php -S` as hactl's local driver does, and waits until /health answers. */
export async function startPhpApp(options: PhpAppOptions): Promise<PhpApp> {
  const host = options.host;
  const port = options.port ?? (await freePort(host));
  const dir = await mkdtemp(join(tmpdir(), 'hactl-php-'));
  const settingsPath = join(dir, 'app.json');
  const base = appSettings({ dir, name: options.name ?? 'web1', address: host, port, mode: options.mode, db: options.db });
  let settings = options.settings ? options.settings(base) : base;

  const writeRawSettings = async (text: string) => {
    const temp = `${settingsPath}.${process.pid}.tmp`;
    await writeFile(temp, text);
    // rename() so that a request never reads a half-written file.
    await rename(temp, settingsPath);
  };
  const writeSettings = async (next: AppSettings | ((current: AppSettings) => AppSettings)) => {
    settings = typeof next === 'function' ? next(settings) : next;
    await writeRawSettings(JSON.stringify(settings, null, 2));
  };
  await writeSettings(settings);

  const ini = Object.entries(options.ini ?? {}).flatMap(([key, value]) => ['-d', `${key}=${value}`]);
  const daemon = startDaemon('php', [...ini, '-S', `${host}:${port}`, '-t', APP_DIR, join(APP_DIR, 'router.php')], {
    env: { ...process.env, HACTL_APP_SETTINGS: settingsPath, PHP_CLI_SERVER_WORKERS: String(options.workers ?? 4) },
    logFile: join(dir, 'php.log'),
  });
  const url = `http://${host}:${port}`;
  const stop = async () => {
    await daemon.stop();
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (daemon.hasExited()) throw new Error(`php -S exited (${await daemon.exited})`);
      const answer = await request(`${url}/health`).catch(() => null);
      if (answer?.status === 200) break;
      if (Date.now() > deadline) throw new Error(`no 200 from /health within ${START_TIMEOUT_MS} ms (last: ${answer?.status ?? 'no answer'})`);
      await sleep(50);
    }
  } catch (error) {
    const log = daemon.log();
    await stop();
    throw new Error(`startPhpApp on ${host}:${port} failed: ${(error as Error).message}\n${log}`);
  }

  return {
    url,
    host,
    port,
    dir,
    settingsPath,
    get settings() {
      return settings;
    },
    writeSettings,
    writeRawSettings,
    log: (lines) => daemon.log(lines),
    stop,
  };
}
