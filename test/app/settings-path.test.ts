import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { APP_DIR } from '../support/php-server.js';

const printPath = `require ${JSON.stringify(join(APP_DIR, 'lib/settings.php'))}; echo Settings::path();`;

describe('settings file location', () => {
  it('comes from HACTL_APP_SETTINGS', async () => {
    const { stdout } = await execa('php', ['-r', printPath], { env: { HACTL_APP_SETTINGS: '/srv/x/app.json' } });
    expect(stdout).toBe('/srv/x/app.json');
  });

  it('falls back to /etc/hactl/app.json when it is unset or empty', async () => {
    const env = { ...process.env };
    delete env.HACTL_APP_SETTINGS;
    expect((await execa('php', ['-r', printPath], { env, extendEnv: false })).stdout).toBe('/etc/hactl/app.json');
    expect((await execa('php', ['-r', printPath], { env: { HACTL_APP_SETTINGS: '' } })).stdout).toBe('/etc/hactl/app.json');
  });
});
