import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { recordVersion, type Version } from '../../src/history/store.js';
import { tempDir } from '../support/temp.js';

const MAIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const hactl = async (cwd: string, ...args: string[]) => {
  const r = await execa('node', [MAIN, ...args], { cwd, reject: false, env: { NO_COLOR: '1' } });
  return { code: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
};

const YAML = 'name: hist\nruntime: local\nlisten: 127.0.9.1\nweb: [web1, web2]\ndb: [mysql1]\n';

/** A project with one applied version whose cluster.yaml had one web node fewer than the file now. */
function project(): string {
  const dir = tempDir('hactl-history-cli-');
  writeFileSync(join(dir, 'cluster.yaml'), YAML);
  recordVersion(join(dir, '.hactl'), VERSION, 100);
  return dir;
}

const VERSION: Omit<Version, 'version'> = {
  at: '2026-12-03T10:00:00.000Z',
  user: 'ana',
  command: 'hactl up',
  result: 'applied',
  plan: ['web1: start'],
  cluster_yaml: YAML.replace('[web1, web2]', '[web1]'),
  files: {},
};

describe('hactl history and hactl diff', () => {
  it('history lists each version with who, what and how it ended; the running one is marked', async () => {
    const dir = project();
    const r = await hactl(dir, 'history', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ version: 1, at: '2026-12-03T10:00:00.000Z', user: 'ana', command: 'hactl up', result: 'applied', steps: 1, running: true }]);
    expect((await hactl(dir, 'history')).stdout).toMatch(/1 \(running\) .* ana .* hactl up .* applied/);
  });

  it('diff: the running version against cluster.yaml now, as unified diffs, secrets never shown', async () => {
    const dir = project();
    const r = await hactl(dir, 'diff', '--json');
    expect(r.code, r.stderr).toBe(0);
    const { from, to, files } = JSON.parse(r.stdout) as { from: string; to: string; files: { path: string; diff: string }[] };
    expect([from, to]).toEqual(['version 1', 'cluster.yaml now']);
    expect(files.find((f) => f.path === 'cluster.yaml')!.diff).toMatch(/^--- version 1\/cluster\.yaml\n\+\+\+ cluster\.yaml now\/cluster\.yaml\n@@ .* @@\n(.*\n)*-web: \[web1\]\n\+web: \[web1, web2\]/);
    // The rendered configs of now, with their secrets named, not shown.
    const lbWeb = files.find((f) => f.path === 'lb-web/haproxy.cfg')!.diff;
    expect(lbWeb).toContain('<secret:stats_password>');
    expect((await hactl(dir, 'diff')).stdout).toMatch(/files differ between version 1 and cluster\.yaml now$/);
  });

  it('status says when cluster.yaml describes another cluster than the running version (a comment alone is no change)', async () => {
    const dir = project();
    const differs = JSON.parse((await hactl(dir, 'status', '--json')).stdout) as { history: unknown };
    expect(differs.history).toEqual({ running_version: 1, cluster_yaml_changed: true, files_changed: [] });
    expect((await hactl(dir, 'status')).stdout).toContain('cluster.yaml differs from the running version 1: hactl diff shows how, hactl up applies it');
    writeFileSync(join(dir, 'cluster.yaml'), `# the lab's cluster\n${YAML.replace('[web1, web2]', '[web1]')}`);
    expect((JSON.parse((await hactl(dir, 'status', '--json')).stdout) as { history: unknown }).history).toEqual({ running_version: 1, cluster_yaml_changed: false, files_changed: [] });
  });

  it('status says which rendered files on disk are not as the running version wrote them (secrets compared by name)', async () => {
    const dir = project();
    const state = join(dir, '.hactl');
    const app = '{"password": "s3cret"}\n';
    writeFileSync(join(state, 'secrets.json'), JSON.stringify({ app_password: 's3cret' }), { mode: 0o600 });
    recordVersion(state, { ...VERSION, files: { 'web1/app.json': '{"password": "<secret:app_password>"}\n' } }, 100);
    const drift = async () => (JSON.parse((await hactl(dir, 'status', '--json')).stdout) as { history: { files_changed: string[] } }).history.files_changed;
    expect(await drift()).toEqual(['web1/app.json']);
    mkdirSync(join(state, 'config/web1'), { recursive: true });
    writeFileSync(join(state, 'config/web1/app.json'), app);
    expect(await drift()).toEqual([]);
    writeFileSync(join(state, 'config/web1/app.json'), app.replace('s3cret', 'changed by hand'));
    expect(await drift()).toEqual(['web1/app.json']);
    expect((await hactl(dir, 'status')).stdout).toContain('changed on disk since version 2 wrote them: web1/app.json (hactl diff --on-disk shows how, hactl up writes them again)');
    const onDisk = await hactl(dir, 'diff', '--on-disk');
    expect(onDisk.stdout).toContain('--- version 2/web1/app.json\n+++ on disk/web1/app.json');
    expect(onDisk.stdout).toContain('-{"password": "<secret:app_password>"}\n+{"password": "changed by hand"}');
    expect(await hactl(dir, 'diff', '--on-disk', '1', '2')).toMatchObject({ code: 2, stderr: expect.stringMatching(/--on-disk compares one version with what is on disk/) });
  });

  it('refuses an unknown or malformed version (exit 2), and says when nothing was applied yet', async () => {
    const dir = project();
    expect(await hactl(dir, 'diff', '7')).toMatchObject({ code: 2, stderr: expect.stringMatching(/there is no version 7: the history holds 1 to 1/) });
    expect(await hactl(dir, 'diff', 'latest')).toMatchObject({ code: 2, stderr: expect.stringMatching(/diff: "latest" is not a version number/) });
    const empty = tempDir('hactl-history-cli-');
    writeFileSync(join(empty, 'cluster.yaml'), YAML);
    expect(await hactl(empty, 'diff')).toMatchObject({ code: 2, stderr: expect.stringMatching(/there is no applied version to compare with yet/) });
    expect((await hactl(empty, 'history')).stdout).toMatch(/no history yet/);
    // Rollback: the same refusals, before anything is touched.
    expect(await hactl(dir, 'rollback', '7')).toMatchObject({ code: 2, stderr: expect.stringMatching(/there is no version 7/) });
    expect(await hactl(dir, 'rollback')).toMatchObject({ code: 2, stderr: expect.stringMatching(/version 1 runs, and no version before it was applied: nothing to roll back to/) });
    expect(await hactl(dir, 'rollback', 'x1')).toMatchObject({ code: 2, stderr: expect.stringMatching(/rollback: "x1" is not a version number/) });
  });

  it('a damaged history: a version changed by hand is listed as damaged and refused by diff and rollback (exit 2); a history folder that is not one, exit 2', async () => {
    const dir = project();
    const state = join(dir, '.hactl');
    recordVersion(state, VERSION, 100);
    recordVersion(state, VERSION, 100);
    writeFileSync(join(state, 'history/000002.json'), '{"version": 2, "at": "hand-made"');
    const rows = JSON.parse((await hactl(dir, 'history', '--json')).stdout) as { version: number; result: string; error?: string; running: boolean }[];
    expect(rows.map((r) => [r.version, r.result, r.running])).toEqual([
      [1, 'applied', false],
      [2, 'damaged', false],
      [3, 'applied', true],
    ]);
    expect(rows[1]!.error).toMatch(/000002\.json cannot be read as a version of the history .*changed by hand or damaged/);
    expect((await hactl(dir, 'history')).stdout).toMatch(/damaged: .*000002\.json/);
    for (const args of [['diff', '2'], ['rollback', '2'], ['diff', '1', '2']]) {
      expect(await hactl(dir, ...args)).toMatchObject({ code: 2, stderr: expect.stringMatching(/000002\.json cannot be read as a version of the history/) });
    }
    rmSync(join(state, 'history'), { recursive: true });
    writeFileSync(join(state, 'history'), 'not a folder');
    expect(await hactl(dir, 'history')).toMatchObject({ code: 2, stderr: expect.stringMatching(/history cannot be read as the history's folder \(ENOTDIR\); move it away/) });
  });
});
