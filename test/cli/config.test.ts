import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hactlIn } from '../support/cluster.js';
import { STARTER_YAML } from '../support/starter.js';
import { tempDir } from '../support/temp.js';

const VARIETY_YAML = readFileSync(new URL('../fixtures/render/variety.yaml', import.meta.url), 'utf8');

describe('hactl config', () => {
  it.each([
    ['the starter', STARTER_YAML, []],
    ['the starter, secrets shown', STARTER_YAML, ['--show-secrets']],
    ['every rendering branch', VARIETY_YAML, []],
  ])('prints %s resolved as a cluster.yaml that validates and resolves to the same model', async (_what, yaml, flags) => {
    const dir = tempDir('hactl-config-');
    writeFileSync(join(dir, 'cluster.yaml'), yaml);
    const shown = await hactlIn(dir, 'config', ...flags);
    expect(shown.code).toBe(0);
    writeFileSync(join(dir, 'resolved.yaml'), shown.stdout);

    const check = await hactlIn(dir, 'validate', 'resolved.yaml');
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);

    const [first, again] = await Promise.all([hactlIn(dir, 'config', '--json'), hactlIn(dir, '-f', 'resolved.yaml', 'config', '--json')]);
    expect(JSON.parse(again.stdout).cluster).toEqual(JSON.parse(first.stdout).cluster);
  });

  it('says what is not a key of cluster.yaml in comments: the file, the state folder, the secrets redacted', async () => {
    const dir = tempDir('hactl-config-');
    writeFileSync(join(dir, 'cluster.yaml'), STARTER_YAML);
    const { stdout } = await hactlIn(dir, 'config');
    expect(stdout.split('\n').slice(0, 4)).toEqual([
      `# ${join(dir, 'cluster.yaml')} resolved: every default written out`,
      `# state folder: ${join(dir, '.hactl')}`,
      "# secrets (in the state folder's secrets.json, never in cluster.yaml); --show-secrets prints them:",
      '#   db_root_password: [redacted]',
    ]);
    expect(stdout).toMatch(/^name: demo$/m);
  });
});
