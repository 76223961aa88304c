import { accessSync, constants, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Progress } from '../drivers/driver.js';
import { APACHE2 } from '../drivers/local/commands.js';
import { HactlError } from '../errors.js';
import { PACKAGE_ROOT } from '../paths.js';
import type { ConcreteRuntime } from '../spec/model.js';
import type { Runner } from '../util/runner.js';
import { onPath } from '../util/which.js';

/**
 * Programs the local runtime runs, and the Debian package each comes from;
 * found on PATH, and php asked whether it has pdo_mysql (php without it exits 3).
 */
const PHP_PACKAGES = 'php-cli php-mysql';
const LOCAL: [bin: string, pkg: string][] = [
  ['haproxy', 'haproxy'],
  ['mariadbd', 'mariadb-server'],
  ['mariadb-install-db', 'mariadb-server'],
  // A DB node's health agent: socat answers lb-db, the client asks the node.
  ['socat', 'socat'],
  ['mariadb', 'mariadb-client'],
  ['php', PHP_PACKAGES],
];
const PHP_HAS_PDO_MYSQL: [string, string[]] = ['php', ['-r', 'exit(extension_loaded("pdo_mysql") ? 0 : 3);']];
const PHP_HAS_MEMCACHED: [string, string[]] = ['php', ['-r', 'exit(extension_loaded("memcached") ? 0 : 3);']];

/** What a cluster's session stores add: memcached nodes need the server, and the web nodes' PHP its extension. */
export interface StoreNeeds {
  memcached: boolean;
}

/**
 * Each web node is an apache2 with mod_php, run by its path (Debian's
 * /usr/sbin is not on every user's PATH). Its config loads mod_php from the
 * phpX.Y.load that libapache2-mod-php puts in mods-available.
 */
export interface ApacheFiles {
  bin: string;
  modsAvailable: string;
}
const APACHE: ApacheFiles = { bin: APACHE2, modsAvailable: '/etc/apache2/mods-available' };

/**
 * Fail early, naming the packages to install, rather than halfway through an
 * up; or, with INSTALL, install them (scripts/setup.sh: apt-get, as root or
 * with sudo) and check again.
 */
export async function requireBinaries(
  runtime: ConcreteRuntime,
  runner: Runner,
  install = false,
  progress?: Progress,
  path = process.env.PATH,
  apache = APACHE,
  stores: StoreNeeds = { memcached: false },
): Promise<void> {
  if (runtime !== 'local') return;
  const missing = [...(await missingBinaries(runner, path, stores)), ...missingApache(apache)];
  if (missing.length > 0 && install) {
    progress?.('install', `missing ${missing.join(', ')}: running scripts/setup.sh`);
    const r = await runner.run(['bash', [join(PACKAGE_ROOT, 'scripts', 'setup.sh')]], { timeoutMs: 900_000 });
    if (r.exitCode !== 0) throw new HactlError('scripts/setup.sh failed', 1, `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-15));
    return requireBinaries(runtime, runner, false, undefined, path, apache, stores);
  }
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((m) => /\((.*)\)/.exec(m)![1]!))].join(' ');
    throw new HactlError(`missing: ${missing.join(', ')}; install with: sudo apt-get install ${pkgs} (or hactl up --install)`);
  }
}

async function missingBinaries(runner: Runner, path: string | undefined, stores: StoreNeeds): Promise<string[]> {
  const needed: [string, string][] = [...LOCAL, ...(stores.memcached ? [['memcached', 'memcached'] as [string, string]] : [])];
  const missing = needed.filter(([bin]) => !onPath(bin, path)).map(([bin, pkg]) => `${bin} (${pkg})`);
  if (onPath('php', path) && (await runner.run(PHP_HAS_PDO_MYSQL, { timeoutMs: 10_000 })).exitCode !== 0) missing.push(`php (${PHP_PACKAGES})`);
  if (stores.memcached && onPath('php', path) && (await runner.run(PHP_HAS_MEMCACHED, { timeoutMs: 10_000 })).exitCode !== 0) missing.push('php memcached (php-memcached)');
  return missing;
}

function missingApache(apache: ApacheFiles): string[] {
  const missing: string[] = [];
  try {
    accessSync(apache.bin, constants.X_OK);
  } catch {
    missing.push(`${apache.bin} (apache2)`);
  }
  let mods: string[] = [];
  try {
    mods = readdirSync(apache.modsAvailable);
  } catch {
    // no Apache at all: named above
  }
  if (!mods.some((f) => /^php[\d.]+\.load$/.test(f))) missing.push('mod_php (libapache2-mod-php)');
  return missing;
}
