import { describe, expect, it } from 'vitest';
import { requireBinaries } from '../../src/ops/requirements.js';
import { recordingRunner } from '../../src/util/runner.js';

describe('missing programs', () => {
  it('are named with the Debian package to install, before anything starts', async () => {
    const runner = recordingRunner(([bin]) => (bin === 'mariadbd' || bin === 'haproxy' ? { exitCode: 127, notFound: true } : {}));
    await expect(requireBinaries('local', runner)).rejects.toThrow(
      'missing: haproxy (haproxy), mariadbd (mariadb-server); install with: sudo apt-get install haproxy mariadb-server (or hactl up --install)',
    );
  });

  it('include PHP without its MySQL driver', async () => {
    const runner = recordingRunner(([bin]) => (bin === 'php' ? { exitCode: 3 } : {}));
    await expect(requireBinaries('local', runner)).rejects.toThrow(/php \(php-cli php-mysql\)/);
  });

  it('with --install, run scripts/setup.sh and check again', async () => {
    let installed = false;
    const runner = recordingRunner(([bin, args]) => {
      if (bin === 'bash') {
        installed = true;
        return {};
      }
      return bin === 'haproxy' && !installed ? { exitCode: 127, notFound: true } : {};
    });
    await requireBinaries('local', runner, true);
    expect(runner.commands.find(([bin]) => bin === 'bash')?.[1][0]).toMatch(/scripts\/setup\.sh$/);
    expect(runner.commands.filter(([bin]) => bin === 'haproxy')).toHaveLength(2);
  });
});
