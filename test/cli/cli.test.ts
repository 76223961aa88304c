import { tempDir } from '../support/temp.js';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { STARTER_YAML as DEFAULT_YAML } from '../support/starter.js';

// The compiled CLI, as users run it (`npm test` builds first).
const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;

async function hactl(cwd: string, ...args: string[]) {
  const r = await execa('node', [MAIN, ...args], { cwd, reject: false, env: { NO_COLOR: '' } });
  return { code: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function project(yaml = DEFAULT_YAML): string {
  const dir = tempDir('hactl-cli-');
  made.push(dir);
  if (yaml !== '') writeFileSync(join(dir, 'cluster.yaml'), yaml);
  return dir;
}

describe('hactl CLI', () => {
  it('has the compiled CLI to test', () => {
    expect(existsSync(MAIN), 'run `npm run build` first (npm test does)').toBe(true);
  });

  it('init writes a valid starter file and refuses to overwrite without --force', async () => {
    const dir = project('');
    expect((await hactl(dir, 'init', '--name', 'lab')).code).toBe(0);
    const text = readFileSync(join(dir, 'cluster.yaml'), 'utf8');
    expect(text).toMatch(/^name: lab$/m);
    expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=\/.*\/schema\/cluster\.schema\.json$/);
    expect((await hactl(dir, 'validate')).code).toBe(0);

    writeFileSync(join(dir, 'cluster.yaml'), 'web: [mine]\n');
    const again = await hactl(dir, 'init');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists; use --force/);
    expect(readFileSync(join(dir, 'cluster.yaml'), 'utf8')).toBe('web: [mine]\n');
    expect((await hactl(dir, 'init', '--force')).code).toBe(0);
    expect(readFileSync(join(dir, 'cluster.yaml'), 'utf8')).toMatch(/^name: demo$/m);
  });

  it('init refuses a name that would inject YAML', async () => {
    const dir = project('');
    const r = await hactl(dir, 'init', '--name', 'x\nsession_mode: none');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--name: .*line break/);
    expect(existsSync(join(dir, 'cluster.yaml'))).toBe(false);
  });

  it('validate prints FILE:LINE:COL path: message for every problem and exits 2', async () => {
    const dir = project('web:\n  - web1\n  - name: web2\n    port: 70000\n    cookie: "S 2"\nsession_mode: sticy\n');
    const r = await hactl(dir, 'validate');
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      'cluster.yaml:4:11 web[1].port: 70000 is out of range: must be from 1 to 65535',
      `cluster.yaml:5:13 web[1].cookie: "S 2" is not valid (it contains a space): expected 1 to 32 letters, digits, '_' or '-'`,
      'cluster.yaml:6:15 session_mode: "sticy" is not one of none, sticky, db, memcached, redis (did you mean "sticky"?)',
    ]);
    const json = await hactl(dir, 'validate', '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: false, problems: [{ line: 4, col: 11, path: 'web[1].port' }, {}, {}] });
  });

  it('validate with the precompiled validator (dist) says exactly what the source does', async () => {
    expect(existsSync(new URL('../../dist/spec/cluster-validator.js', import.meta.url)), 'npm run build precompiles the schema').toBe(true);
    const dir = project(readFileSync(new URL('../fixtures/invalid/many-problems.yaml', import.meta.url), 'utf8'));
    const r = await hactl(dir, 'validate');
    expect(r.code).toBe(2);
    const expected = readFileSync(new URL('../fixtures/invalid/many-problems.expected', import.meta.url), 'utf8');
    expect(r.stderr.replaceAll('cluster.yaml:', 'c.yaml:').trimEnd()).toBe(expected.trimEnd());
  });

  it('validate takes the file as an argument and says when it is missing', async () => {
    const dir = project();
    writeFileSync(join(dir, 'other.yaml'), 'web: [web1]\n');
    expect((await hactl(dir, 'validate', 'other.yaml')).stdout).toMatch(/other\.yaml is valid: 1 web node/);
    const missing = await hactl(dir, 'validate', 'nope.yaml');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.yaml not found: run `hactl init`/);
  });

  it('render writes and checks every file; secrets-bearing files are 0600', async () => {
    const dir = project();
    const r = await hactl(dir, 'render', '--runtime', 'local', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.runtime).toBe('local');
    expect(out.config_check).toEqual([
      { file: 'lb-web/haproxy.cfg', ok: true },
      { file: 'lb-db/haproxy.cfg', ok: true },
      { file: 'web1/httpd.conf', ok: true },
      { file: 'web2/httpd.conf', ok: true },
    ]);
    const base = join(dir, '.hactl/rendered/local');
    expect(statSync(join(base, 'lb-web/haproxy.cfg')).mode & 0o777).toBe(0o600);
    expect(statSync(join(base, 'web1/app.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, '.hactl/secrets.json')).mode & 0o777).toBe(0o600);
    const secrets = JSON.parse(readFileSync(join(dir, '.hactl/secrets.json'), 'utf8'));
    expect(readFileSync(join(base, 'lb-web/haproxy.cfg'), 'utf8')).toContain(`stats auth admin:${secrets.stats_password}`);

    const compose = await hactl(dir, 'render', '--runtime', 'compose', '--out', 'compose-out');
    expect(compose.code, compose.stderr).toBe(0);
    expect(readFileSync(join(dir, 'compose-out/compose.yaml'), 'utf8')).toMatch(/^ {2}lb-db:$/m);
  });

  it('writes nothing, not even secrets, when cluster.yaml is invalid', async () => {
    const dir = project('web: ["web1\\nbind :80"]\n');
    for (const cmd of [['render'], ['config'], ['render', '--out', 'x']]) {
      const r = await hactl(dir, ...cmd);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/\n  cluster\.yaml:1:7 web\[0\]: .*line break/);
    }
    expect(existsSync(join(dir, '.hactl'))).toBe(false);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('add refuses a name that is not one node name, in a flow list too, and changes nothing', async () => {
    const yaml = 'web: [web1, web2]\ndb: [mysql1, mysql2]\n';
    const dir = project(yaml);
    for (const [name, why] of [
      ['web5,web6', /"web5,web6" is not valid: expected a DNS label/],
      ['web3}', /"web3}" is not valid/],
      ['web3]', /"web3]" is not valid/],
      ['lb-web', /"lb-web" is not available: names starting with "lb-" are kept for hactl's balancers/],
      ['&a web3', /"&a web3" is not valid/],
    ] as const) {
      const r = await hactl(dir, 'add', 'web', name);
      expect(r.code, `${name}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/^error: the new web node is not valid; nothing was changed$/m);
      expect(r.stderr).toMatch(new RegExp(`^  name: ${why.source}`, 'm'));
      expect(r.stderr).not.toMatch(/internal error|TypeError|\n\s+at /);
    }
    expect(readFileSync(join(dir, 'cluster.yaml'), 'utf8')).toBe(yaml);
    expect(existsSync(join(dir, '.hactl'))).toBe(false);
  });

  it('uses the runtime recorded at the first up, without asking Docker, and refuses another one but for render', async () => {
    const dir = project(DEFAULT_YAML.replace(/^runtime: .*$/m, 'runtime: auto'));
    mkdirSync(join(dir, '.hactl'), { mode: 0o700 });
    writeFileSync(join(dir, '.hactl/runtime.json'), JSON.stringify({ cluster: { runtime: 'local', since: '2026-12-02T14:00:00.000Z' } }));
    // CI has a Docker engine: auto decided anew would say compose.
    const status = await hactl(dir, 'status', '--json');
    expect(JSON.parse(status.stdout || '{}').runtime, status.stderr).toBe('local');
    const other = await hactl(dir, 'status', '--runtime', 'compose');
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/^error: --runtime compose contradicts this cluster's runtime: it was started as local processes/m);
    expect((await hactl(dir, 'render', '--runtime', 'compose', '--out', 'c')).code).toBe(0);
  });

  it('keeps the checked model of cluster.yaml for read-only commands, and checks a changed file again', async () => {
    const dir = project(DEFAULT_YAML.replace(/^runtime: .*$/m, 'runtime: local'));
    mkdirSync(join(dir, '.hactl'), { mode: 0o700 });
    expect((await hactl(dir, 'status', '--json')).stdout).toMatch(/"cluster": "demo"/);
    const cache = join(dir, '.hactl/cluster-model.json');
    const kept = JSON.parse(readFileSync(cache, 'utf8')) as { key: string; cluster: { name: string } };
    expect(kept.cluster.name).toBe('demo');
    expect(statSync(cache).mode & 0o777).toBe(0o600);
    // The kept model is what status reads while the text is the same…
    writeFileSync(cache, JSON.stringify({ ...kept, cluster: { ...kept.cluster, name: 'kept' } }));
    expect((await hactl(dir, 'status', '--json')).stdout).toMatch(/"cluster": "kept"/);
    // …and a changed text is checked again: an invalid one is refused, a valid one read anew.
    writeFileSync(join(dir, 'cluster.yaml'), DEFAULT_YAML.replace(/^runtime: .*$/m, 'runtime: local').replace(/^ {2}fall: \d+/m, '  fall: 0'));
    const bad = await hactl(dir, 'status', '--json');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/health\.fall: 0 is out of range/);
    writeFileSync(join(dir, 'cluster.yaml'), DEFAULT_YAML.replace(/^runtime: .*$/m, 'runtime: local').replace(/^name: .*$/m, 'name: shop'));
    expect((await hactl(dir, 'status', '--json')).stdout).toMatch(/"cluster": "shop"/);
  });

  it('refuses to remove the last DB node, with --force too, before anything is touched', async () => {
    const yaml = 'runtime: local\nweb: [web1]\ndb: [mysql1]\n';
    const dir = project(yaml);
    for (const args of [['--force'], ['--force', '--dry-run'], []]) {
      const r = await hactl(dir, 'remove', 'db', 'mysql1', ...args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^error: mysql1 is the last DB node and holds the app's data: it cannot be removed, with or without --force$/m);
    }
    expect(readFileSync(join(dir, 'cluster.yaml'), 'utf8')).toBe(yaml);
    expect(existsSync(join(dir, '.hactl'))).toBe(false);
  });

  it('config redacts secrets unless --show-secrets', async () => {
    const dir = project();
    const r = await hactl(dir, 'config', '--json');
    expect(r.code).toBe(0);
    const shown = JSON.parse(r.stdout);
    expect(shown.cluster.web[0]).toEqual({ name: 'web1', host: '127.0.1.1', port: 8000, cookie: 'S1', weight: 100, state: 'ready' });
    expect(Object.values(shown.secrets)).toEqual(Array(6).fill('[redacted]'));
    const stored = JSON.parse(readFileSync(join(dir, '.hactl/secrets.json'), 'utf8'));
    for (const value of Object.values(stored) as string[]) {
      expect(r.stdout).not.toContain(value);
      expect((await hactl(dir, 'config')).stdout).not.toContain(value);
    }
    const revealed = JSON.parse((await hactl(dir, 'config', '--json', '--show-secrets')).stdout);
    expect(revealed.secrets).toEqual(stored);
  });

  it('exits 2 on an unknown option or runtime, 0 on --help; every command shows an example', async () => {
    const dir = project();
    expect((await hactl(dir, 'render', '--runtime', 'swarm')).code).toBe(2);
    expect((await hactl(dir, 'frobnicate')).code).toBe(2);
    for (const cmd of ['init', 'validate', 'render', 'config']) {
      const help = await hactl(dir, cmd, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/Examples:\n {2}\$ hactl /);
    }
  });

  it('--version prints the package version and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) expect(await hactl(project(), flag)).toMatchObject({ code: 0, stdout: version });
  });

  it('takes the global options before or after the command', async () => {
    const dir = project();
    writeFileSync(join(dir, 'other.yaml'), 'web: [web1, web2, web3]\n');
    for (const args of [['-f', 'other.yaml', 'validate'], ['validate', '-f', 'other.yaml'], ['--json', 'config', '--file', 'other.yaml'], ['config', '--file', 'other.yaml', '--json']]) {
      const r = await hactl(dir, ...args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toMatch(/3 web node|"web3"/);
    }
    // logs has -f for --follow; the file is still --file there.
    expect((await hactl(dir, 'logs', '--help')).stdout).toMatch(/-f, --follow[\s\S]*--file <path>/);
  });

  it('prints no colour codes when output is not a terminal', async () => {
    const dir = project('web: [web1, web1]\n');
    const r = await hactl(dir, 'validate');
    expect(r.stderr).not.toMatch(/\x1b\[/);
  });
});
