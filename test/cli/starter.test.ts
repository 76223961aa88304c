import { cpSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { STARTER_YAML } from '../support/starter.js';
import { tempDir } from '../support/temp.js';

const ROOT = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');

/**
 * A copy of the installed hactl (dist/, templates/, schema/) in a folder of
 * the test's own: its cluster.yaml is the package's own live file, which a
 * test may edit or remove without touching the checkout others work in.
 */
function packageCopy(): string {
  const dir = tempDir('hactl-package-');
  for (const part of ['dist', 'templates', 'schema', 'package.json']) cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

async function hactlOf(pkg: string, cwd: string, args: string[], env: Record<string, string> = {}) {
  const r = await execa(process.execPath, [join(pkg, 'dist/cli/main.js'), ...args], { cwd, reject: false, env: { NO_COLOR: '1', ...env } });
  return { code: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** The package's cluster.yaml as the README's live commands leave it. */
const EDITED = STARTER_YAML.replace(/^session_mode: .*$/m, 'session_mode: db')
  .replace(/^db:\n(?: {2}- .*\n)+/m, 'db:\n  - mysql1\n  - mysql2\n  - mysql3\n')
  .replace(/^ {4}cookie: S2$/m, '    cookie: S2\n    state: ready');

describe('the starter cluster.yaml', () => {
  it('is what init writes, whatever the package folder\'s own cluster.yaml says', async () => {
    const pkg = packageCopy();
    writeFileSync(join(pkg, 'cluster.yaml'), EDITED);
    const dir = tempDir('hactl-init-');

    const r = await hactlOf(pkg, dir, ['init', '--name', 'shop']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${join(dir, 'cluster.yaml')} (the starter: 2 web nodes, 2 DB nodes, sticky sessions)`);
    expect(readFileSync(join(dir, 'cluster.yaml'), 'utf8')).toBe(
      STARTER_YAML.replace(/^# yaml-language-server: .*$/m, `# yaml-language-server: $schema=${join(pkg, 'schema/cluster.schema.json')}`).replace(/^name: demo$/m, 'name: shop'),
    );
    const { cluster } = JSON.parse((await hactlOf(pkg, dir, ['config', '--json'])).stdout);
    expect({ name: cluster.name, web: cluster.web.length, db: cluster.db.length, session_mode: cluster.session_mode }).toEqual({
      name: 'shop',
      web: 2,
      db: 2,
      session_mode: 'sticky',
    });
    expect(readFileSync(join(pkg, 'cluster.yaml'), 'utf8')).toBe(EDITED);
  });

  it('points its modeline at ./schema/ in the package folder itself', async () => {
    const pkg = packageCopy();
    expect((await hactlOf(pkg, pkg, ['init'])).code).toBe(0);
    expect(readFileSync(join(pkg, 'cluster.yaml'), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./schema/cluster.schema.json');
  });

  it('is written by up in the package folder when it has no cluster.yaml, and up says so', async () => {
    const pkg = packageCopy();
    // No haproxy, mariadbd or php on PATH: up stops at its check of the programs, before it starts anything.
    const r = await hactlOf(pkg, pkg, ['up', '--runtime', 'local'], { PATH: tempDir('hactl-empty-path-') });
    expect(r.stderr).toContain(`cluster.yaml: there was none, so wrote ${join(pkg, 'cluster.yaml')} (the starter: 2 web nodes, 2 DB nodes, sticky sessions)`);
    expect(r.code).not.toBe(0);
    expect(readFileSync(join(pkg, 'cluster.yaml'), 'utf8')).toBe(STARTER_YAML.replace(/^# yaml-language-server: .*$/m, '# yaml-language-server: $schema=./schema/cluster.schema.json'));
  });

  it.each(['plan', 'up --dry-run'])('%s in the package folder without cluster.yaml says what up would write, and writes nothing', async (command) => {
    const pkg = packageCopy();
    const before = readdirSync(pkg).sort();
    const r = await hactlOf(pkg, pkg, [...command.split(' '), '--runtime', 'local']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      `error: ${join(pkg, 'cluster.yaml')} does not exist yet: \`hactl up\` writes the starter there (2 web nodes, 2 DB nodes, sticky sessions) and starts it; \`hactl init\` writes only the file, then \`hactl plan\` lists each step. Nothing was changed`,
    );
    expect(readdirSync(pkg).sort()).toEqual(before);
  });

  it.each(['up', 'plan', 'up --dry-run'])('%s in any other folder without cluster.yaml asks for hactl init and writes nothing', async (command) => {
    const dir = tempDir('hactl-elsewhere-');
    const r = await hactlOf(ROOT, dir, [...command.split(' '), '--runtime', 'local']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cluster\.yaml not found: run `hactl init`/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
