import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireBinaries } from '../../src/ops/requirements.js';
import { recordingRunner } from '../../src/util/runner.js';
import { tempDir } from '../support/temp.js';

/** A PATH of one folder holding (empty) executables of these names. */
function pathWith(...bins: string[]): string {
  const dir = tempDir('hactl-path-');
  for (const bin of bins) {
    writeFileSync(join(dir, bin), '#!/bin/sh\n');
    chmodSync(join(dir, bin), 0o755);
  }
  return dir;
}

const ALL = ['haproxy', 'mariadbd', 'mariadb-install-db', 'socat', 'mariadb', 'php'];

describe('missing programs', () => {
  it('are named with the Debian package to install, before anything starts, found on PATH without running them', async () => {
    const runner = recordingRunner(() => ({}));
    await expect(requireBinaries('local', runner, false, undefined, pathWith('mariadb-install-db', 'socat', 'mariadb', 'php'))).rejects.toThrow(
      'missing: haproxy (haproxy), mariadbd (mariadb-server); install with: sudo apt-get install haproxy mariadb-server (or hactl up --install)',
    );
    // Only php is run: to ask for its MySQL driver.
    expect(runner.commands.map(([bin]) => bin)).toEqual(['php']);
  });

  it('include PHP without its MySQL driver', async () => {
    const runner = recordingRunner(([bin]) => (bin === 'php' ? { exitCode: 3 } : {}));
    await expect(requireBinaries('local', runner, false, undefined, pathWith(...ALL))).rejects.toThrow(/php \(php-cli php-mysql\)/);
  });

  it("include each web node's Apache and its mod_php, looked for where Debian puts them", async () => {
    const none = tempDir('hactl-apache-');
    const absent = { bin: join(none, 'apache2'), modsAvailable: join(none, 'mods-available') };
    await expect(requireBinaries('local', recordingRunner(() => ({})), false, undefined, pathWith(...ALL), absent)).rejects.toThrow(
      `missing: ${absent.bin} (apache2), mod_php (libapache2-mod-php); install with: sudo apt-get install apache2 libapache2-mod-php`,
    );
    const some = tempDir('hactl-apache-');
    writeFileSync(join(some, 'apache2'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(join(some, 'php8.4.load'), 'LoadModule php_module /usr/lib/apache2/modules/libphp8.4.so\n');
    await expect(requireBinaries('local', recordingRunner(() => ({})), false, undefined, pathWith(...ALL), { bin: join(some, 'apache2'), modsAvailable: some })).resolves.toBeUndefined();
  });

  it('are none when all are there', async () => {
    await expect(requireBinaries('local', recordingRunner(() => ({})), false, undefined, pathWith(...ALL))).resolves.toBeUndefined();
  });

  it('with --install, run scripts/setup.sh and check again', async () => {
    const path = pathWith(...ALL.filter((b) => b !== 'haproxy'));
    const runner = recordingRunner(([bin]) => {
      // What setup.sh does here: install the missing one.
      if (bin === 'bash') writeFileSync(join(path, 'haproxy'), '#!/bin/sh\n', { mode: 0o755 });
      return {};
    });
    await requireBinaries('local', runner, true, undefined, path);
    expect(runner.commands.find(([bin]) => bin === 'bash')?.[1][0]).toMatch(/scripts\/setup\.sh$/);
    rmSync(path, { recursive: true, force: true });
  });
});
