import { join } from 'node:path';
import type { Progress } from '../drivers/driver.js';
import { HactlError } from '../errors.js';
import { PACKAGE_ROOT } from '../paths.js';
import type { ConcreteRuntime } from '../spec/model.js';
import type { Runner } from '../util/runner.js';

/** Programs the local runtime runs, and the Debian package each comes from. */
const LOCAL: [bin: string, args: string[], pkg: string][] = [
  ['haproxy', ['-v'], 'haproxy'],
  ['mariadbd', ['--version'], 'mariadb-server'],
  ['mariadb-install-db', ['--version'], 'mariadb-server'],
  // php is there but without pdo_mysql: exit 3.
  ['php', ['-r', 'exit(extension_loaded("pdo_mysql") ? 0 : 3);'], 'php-cli php-mysql'],
];

/**
 * Fail early, naming the packages to install, rather than halfway through an
 * up; or, with INSTALL, install them (scripts/setup.sh: apt-get, as root or
 * with sudo) and check again.
 */
export async function requireBinaries(runtime: ConcreteRuntime, runner: Runner, install = false, progress?: Progress): Promise<void> {
  if (runtime !== 'local') return;
  const missing = await missingBinaries(runner);
  if (missing.length > 0 && install) {
    progress?.('install', `missing ${missing.join(', ')}: running scripts/setup.sh`);
    const r = await runner.run(['bash', [join(PACKAGE_ROOT, 'scripts', 'setup.sh')]], { timeoutMs: 900_000 });
    if (r.exitCode !== 0) throw new HactlError('scripts/setup.sh failed', 1, `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-15));
    return requireBinaries(runtime, runner, false);
  }
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((m) => /\((.*)\)/.exec(m)![1]!))].join(' ');
    throw new HactlError(`missing: ${missing.join(', ')}; install with: sudo apt-get install ${pkgs} (or hactl up --install)`);
  }
}

async function missingBinaries(runner: Runner): Promise<string[]> {
  const missing: string[] = [];
  for (const [bin, args, pkg] of LOCAL) {
    const r = await runner.run([bin, args], { timeoutMs: 10_000 });
    if (r.notFound || (bin === 'php' && r.exitCode !== 0)) missing.push(`${bin} (${pkg})`);
  }
  return missing;
}
