import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { MAIN } from '../support/cluster.js';
import { tempDir } from '../support/temp.js';
import { STARTER_YAML as DEFAULT_YAML } from '../support/starter.js';


/** The compiled CLI, killed after a while: on the old code some of these never ended. */
function hactl(cwd: string, args: string[], env: Record<string, string> = {}) {
  return execa('node', [MAIN, ...args], { cwd, reject: false, timeout: 20_000, env: { NO_COLOR: '1', ...env } });
}

function projectIn(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cluster.yaml'), DEFAULT_YAML);
  return dir;
}

/** Exit 2 and one line saying why: the input is at fault, not hactl. */
function expectRefused(r: { exitCode?: number | undefined; stderr: unknown }, why: RegExp): void {
  const lines = String(r.stderr).trimEnd().split('\n');
  expect(lines, String(r.stderr)).toHaveLength(1);
  expect(lines[0]).toMatch(why);
  expect(r.exitCode).toBe(2);
}

const listing = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();

describe('a project folder that no config can hold', () => {
  it.each([["'"], ['"'], ['$'], ['\\'], ['\n'], ['\t']])('is refused before anything is written: %j', async (c) => {
    const dir = projectIn(join(tempDir('hactl-hostile-'), `site${c}x`));
    const r = await hactl(dir, ['-f', join(dir, 'cluster.yaml'), 'render', '--runtime', 'local']);
    expectRefused(r, /^error: the project folder ".*" contains .*: move cluster\.yaml to a plainer folder$/);
    expect(listing(dir)).toEqual(['cluster.yaml']);

    const bare = join(tempDir('hactl-hostile-'), `new${c}site`);
    mkdirSync(bare);
    expectRefused(await hactl(bare, ['init']), /^error: the project folder/);
    expect(listing(bare)).toEqual([]);
  });

  it.each([['/proc/hactl-x'], ['/sys/hactl-x']])('is refused on a kernel filesystem (%s), for init too', async (folder) => {
    const r = await hactl(tempDir('hactl-hostile-'), ['init', '-f', join(folder, 'cluster.yaml')]);
    expect(r.timedOut).toBe(false);
    expectRefused(r, new RegExp(`^error: the project folder ${folder} is on a kernel filesystem`));
    expect(existsSync(folder)).toBe(false);
  });

  it("is refused when its sockets would not fit HAProxy's socket paths (97 bytes), and taken when they just do", async () => {
    const base = tempDir('hactl-hostile-');
    // The longest socket every project has: .hactl/run/lb-web.master.sock. HAProxy takes 97 bytes, not sun_path's 107.
    const folderFor = (socketBytes: number) => join(base, 'p'.repeat(socketBytes - `${base}//.hactl/run/lb-web.master.sock`.length));

    const tooDeep = projectIn(folderFor(98));
    const r = await hactl(tooDeep, ['render', '--runtime', 'local']);
    expectRefused(r, /^error: the socket path \/.*\/\.hactl\/run\/lb-web\.master\.sock is 98 bytes, over the 97-byte limit of HAProxy's unix socket paths: move cluster\.yaml to a shorter folder$/);
    expect(listing(tooDeep)).toEqual(['cluster.yaml']);

    const justFits = projectIn(folderFor(97));
    expect((await hactl(justFits, ['render', '--runtime', 'local'])).exitCode).toBe(0);
  });
});

describe('render --out writes all or nothing', () => {
  it('refuses an existing regular file, naming it, and leaves it as it was', async () => {
    const dir = projectIn(tempDir('hactl-hostile-'));
    const file = join(dir, 'configs');
    writeFileSync(file, 'mine\n');
    expectRefused(await hactl(dir, ['render', '--runtime', 'local', '--out', file]), new RegExp(`^error: ${file} is a file, not a folder`));
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
    expect(listing(dir)).toEqual(['cluster.yaml', 'configs']);
  });

  it('refuses a folder where a file stands in the way of one output, writing none of the others', async () => {
    const dir = projectIn(tempDir('hactl-hostile-'));
    const out = join(dir, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'lb-db'), 'in the way\n');
    expectRefused(await hactl(dir, ['render', '--runtime', 'local', '--out', out]), new RegExp(`^error: ${out}/lb-db is in the way`));
    expect(listing(out)).toEqual(['lb-db']);
  });

  it.each([['/sys/hactl-x'], ['/proc/hactl-foo'], ['/dev/null/hactl-x']])('refuses a kernel filesystem (%s) at once', async (target) => {
    const dir = projectIn(tempDir('hactl-hostile-'));
    const r = await hactl(dir, ['render', '--runtime', 'local', '--out', target]);
    expect(r.timedOut).toBe(false);
    expectRefused(r, /^error: refusing to write into .*: it is on a kernel filesystem/);
    expect(existsSync(target)).toBe(false);
    expect(listing(dir)).toEqual(['cluster.yaml']);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('leaves no staging folder (it holds the stats password) when stopped by %s while checking', async (signal, code) => {
    const dir = projectIn(tempDir('hactl-hostile-'));
    // An haproxy that says where the staged config is, then takes its time: the window to stop hactl in.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const marker = join(dir, 'staged-at');
    writeFileSync(join(bin, 'haproxy'), `#!/bin/sh\necho "$3" > '${marker}'\nexec sleep 20\n`);
    chmodSync(join(bin, 'haproxy'), 0o755);
    const out = join(dir, 'out');

    const child = hactl(dir, ['render', '--runtime', 'local', '--out', out], { PATH: `${bin}:${process.env.PATH}` });
    for (let i = 0; i < 200 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 50));
    const staged = readFileSync(marker, 'utf8').trim();
    // Both configs are checked side by side: the marker names either; lb-web's holds the password.
    expect(staged).toMatch(/\/lb-(web|db)\/haproxy\.cfg$/);
    expect(existsSync(join(dirname(dirname(staged)), 'lb-web/haproxy.cfg'))).toBe(true);
    child.kill(signal);
    const r = await child;

    expect(r.signal ?? r.exitCode).toBe(r.signal ? signal : code);
    expect(existsSync(dirname(dirname(staged))), `staging folder ${dirname(dirname(staged))} left behind`).toBe(false);
    expect(existsSync(out)).toBe(false);
  });
});
