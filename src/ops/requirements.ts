import { HactlError } from '../errors.js';
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

/** Fail early, naming the packages to install, rather than halfway through an up. */
export async function requireBinaries(runtime: ConcreteRuntime, runner: Runner): Promise<void> {
  if (runtime !== 'local') return;
  const missing: string[] = [];
  for (const [bin, args, pkg] of LOCAL) {
    const r = await runner.run([bin, args], { timeoutMs: 10_000 });
    if (r.notFound || (bin === 'php' && r.exitCode !== 0)) missing.push(`${bin} (${pkg})`);
  }
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((m) => /\((.*)\)/.exec(m)![1]!))].join(' ');
    throw new HactlError(`missing: ${missing.join(', ')}; install with: sudo apt-get install ${pkgs} (or run scripts/setup.sh)`);
  }
}
