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
const phpHas = (extension: string): [string, string[]] => ['php', ['-r', `exit(extension_loaded("${extension}") ? 0 : 3);`]];

/** What a cluster's session stores add: their servers, and the web nodes' PHP extension for each. */
export interface StoreNeeds {
  memcached: boolean;
  redis: boolean;
}

/** Each store's programs (binary, Debian package) and the PHP extension its sessions need (extension, package). */
const STORE_PACKAGES: Record<keyof StoreNeeds, { bins: [string, string][]; php: [string, string] }> = {
  memcached: { bins: [['memcached', 'memcached']], php: ['memcached', 'php-memcached'] },
  // redis-cli (redis-tools, which redis-server depends on): the start script asks the others with it.
  redis: { bins: [['redis-server', 'redis-server'], ['redis-sentinel', 'redis-sentinel'], ['redis-cli', 'redis-tools']], php: ['redis', 'php-redis'] },
};

/** The session stores CLUSTER has nodes for. */
export function storeNeeds(cluster: { memcached: readonly unknown[]; redis: readonly unknown[] }): StoreNeeds {
  return { memcached: cluster.memcached.length > 0, redis: cluster.redis.length > 0 };
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
  stores: StoreNeeds = { memcached: false, redis: false },
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
  const used = (Object.keys(STORE_PACKAGES) as (keyof StoreNeeds)[]).filter((s) => stores[s]).map((s) => STORE_PACKAGES[s]);
  const needed: [string, string][] = [...LOCAL, ...used.flatMap((s) => s.bins)];
  const missing = needed.filter(([bin]) => !onPath(bin, path)).map(([bin, pkg]) => `${bin} (${pkg})`);
  if (!onPath('php', path)) return missing;
  if ((await runner.run(phpHas('pdo_mysql'), { timeoutMs: 10_000 })).exitCode !== 0) missing.push(`php (${PHP_PACKAGES})`);
  for (const [extension, pkg] of used.map((s) => s.php)) {
    if ((await runner.run(phpHas(extension), { timeoutMs: 10_000 })).exitCode !== 0) missing.push(`php ${extension} (${pkg})`);
  }
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
