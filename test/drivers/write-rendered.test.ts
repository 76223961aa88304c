import { tempDir } from '../support/temp.js';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RenderedFile } from '../../src/render/index.js';
import { writeRendered } from '../../src/drivers/write-rendered.js';
import { execaRunner, recordingRunner } from '../../src/util/runner.js';

const GOOD = `defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nfrontend f\n    bind 127.0.0.1:18080\n    default_backend b\nbackend b\n    server s 127.0.0.1:9\n`;
const BAD = `${GOOD}    not-a-keyword here\n`;

function files(cfg: string): RenderedFile[] {
  return [
    { path: 'lb-web/haproxy.cfg', content: cfg, mode: 0o600, kind: 'haproxy' },
    { path: 'web1/app.json', content: '{"new": true}\n', mode: 0o600, kind: 'app' },
  ];
}

describe('writing rendered files', () => {
  it('writes every file once haproxy -c accepts the configs', async () => {
    const out = join(tempDir('hactl-out-'), 'out');
    const result = await writeRendered(out, files(GOOD), execaRunner);
    expect(result.checks).toEqual([{ file: 'lb-web/haproxy.cfg', ok: true, output: expect.any(String) }]);
    expect(readFileSync(join(out, 'web1/app.json'), 'utf8')).toBe('{"new": true}\n');
  });

  it('writes nothing at all when haproxy -c rejects a config, and says why', async () => {
    const out = tempDir('hactl-out-');
    mkdirSync(join(out, 'web1'));
    writeFileSync(join(out, 'web1/app.json'), 'old\n');
    // One detail a line of haproxy's, naming the file as rendered, not the staging copy it checked.
    await expect(writeRendered(out, files(BAD), execaRunner)).rejects.toMatchObject({
      message: expect.stringMatching(/haproxy -c rejected lb-web\/haproxy\.cfg; nothing was written/),
      details: [
        "lb-web/haproxy.cfg: config : parsing [lb-web/haproxy.cfg:11] : unknown keyword 'not-a-keyword' in 'backend' section",
        'lb-web/haproxy.cfg: config : Error(s) found in configuration file : lb-web/haproxy.cfg',
        'lb-web/haproxy.cfg: config : Fatal errors found in configuration.',
      ],
    });
    expect(readFileSync(join(out, 'web1/app.json'), 'utf8')).toBe('old\n');
    expect(existsSync(join(out, 'lb-web'))).toBe(false);
  });

  it('writes nothing when apache2 -t rejects an Apache config, with its own words', async () => {
    const out = tempDir('hactl-out-');
    mkdirSync(join(out, 'web1'));
    writeFileSync(join(out, 'web1/app.json'), 'old\n');
    const httpd = (extra: string): RenderedFile => ({
      path: 'lb-web/httpd.conf',
      content: `ServerRoot /usr/lib/apache2\nServerName t\nDefaultRuntimeDir ${out}\nPidFile ${out}/p\nErrorLog /dev/stderr\nLoadModule mpm_event_module modules/mod_mpm_event.so\nListen 127.0.0.1:18080\n${extra}`,
      mode: 0o600,
      kind: 'apache',
    });
    await expect(writeRendered(out, [httpd('ProxyPass / balancer://web/\n'), files(GOOD)[1]!], execaRunner)).rejects.toMatchObject({
      message: expect.stringMatching(/^apache2 -t rejected lb-web\/httpd\.conf; nothing was written/),
      details: expect.arrayContaining([expect.stringMatching(/^lb-web\/httpd\.conf: .*Syntax error on line 8 of lb-web\/httpd\.conf:/), expect.stringMatching(/Invalid command 'ProxyPass'/)]),
    });
    expect(readFileSync(join(out, 'web1/app.json'), 'utf8')).toBe('old\n');
    expect(existsSync(join(out, 'lb-web'))).toBe(false);
    expect((await writeRendered(out, [httpd('')], execaRunner)).checks).toEqual([{ file: 'lb-web/httpd.conf', ok: true, output: 'Syntax OK' }]);
  });

  it('runs haproxy as an argument array and reports when it is not installed', async () => {
    const out = join(tempDir('hactl-out-'), 'out');
    const runner = recordingRunner(() => ({ exitCode: 127, notFound: true }));
    const result = await writeRendered(out, files(GOOD), runner);
    expect(result.checks).toBeUndefined();
    expect(runner.commands).toEqual([['haproxy', ['-c', '-f', expect.stringMatching(/lb-web\/haproxy\.cfg$/)]]]);
  });
});

describe('writing only what changed (the drivers: every up)', () => {
  it('writes and checks nothing when the folder already holds every file as rendered; checks only a changed config', async () => {
    const out = join(tempDir('hactl-out-'), 'out');
    await writeRendered(out, files(GOOD), execaRunner);
    const runner = recordingRunner(() => ({}));
    expect(await writeRendered(out, files(GOOD), runner, { onlyChanged: true })).toEqual({ written: [], checks: [] });
    expect(runner.commands).toEqual([]);

    const changed = files(GOOD.replace('18080', '18081'));
    const result = await writeRendered(out, changed, execaRunner, { onlyChanged: true });
    expect(result.written).toEqual([join(out, 'lb-web/haproxy.cfg')]);
    expect(result.checks?.map((c) => c.file)).toEqual(['lb-web/haproxy.cfg']);
  });

  it('writes a file again whose mode was changed by hand', async () => {
    const out = join(tempDir('hactl-out-'), 'out');
    await writeRendered(out, files(GOOD), execaRunner);
    chmodSync(join(out, 'web1/app.json'), 0o644);
    const result = await writeRendered(out, files(GOOD), execaRunner, { onlyChanged: true });
    expect(result.written).toEqual([join(out, 'web1/app.json')]);
    expect(statSync(join(out, 'web1/app.json')).mode & 0o777).toBe(0o600);
  });
});

describe('writing rendered files all or nothing', () => {
  const listing = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();

  it('refuses an OUT that is a regular file, naming it, and leaves it as it was', async () => {
    const out = join(tempDir('hactl-out-'), 'configs.txt');
    writeFileSync(out, 'mine\n');
    const err = await writeRendered(out, files(GOOD), execaRunner).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 2, message: `${out} is a file, not a folder` });
    expect(readFileSync(out, 'utf8')).toBe('mine\n');
  });

  it('refuses an OUT where a file stands in the way of one of its folders, before writing any file', async () => {
    const out = tempDir('hactl-out-');
    writeFileSync(join(out, 'web1'), 'in the way\n');
    const err = await writeRendered(out, files(GOOD), execaRunner).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 2, message: `${join(out, 'web1')} is in the way: a folder is needed there for ${join(out, 'web1/app.json')}` });
    expect(listing(out)).toEqual(['web1']);
  });

  it('refuses a folder standing where a file goes', async () => {
    const out = tempDir('hactl-out-');
    mkdirSync(join(out, 'web1/app.json'), { recursive: true });
    await expect(writeRendered(out, files(GOOD), execaRunner)).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('app.json is in the way') });
    expect(listing(out)).toEqual(['web1', 'web1/app.json']);
  });

  // /proc is the CLI test's: on the old code it spins for ever, which only a child process can be killed out of.
  it('refuses kernel filesystems (/sys, /dev) at once, creating nothing', async () => {
    for (const out of ['/sys/hactl-x', '/dev/null/hactl-x']) {
      await expect(writeRendered(out, files(GOOD), recordingRunner())).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/^refusing to write into .*: it is on a kernel filesystem/) });
      expect(existsSync(out)).toBe(false);
    }
  });

  it('leaves no staging folder behind, written or refused, and takes away the folders it made on failure', async () => {
    const parent = tempDir('hactl-out-');
    const out = join(parent, 'a/b');
    await writeRendered(out, files(GOOD), execaRunner);
    expect(listing(out)).toEqual(['lb-web', 'lb-web/haproxy.cfg', 'web1', 'web1/app.json']);
    await expect(writeRendered(join(parent, 'c/d'), files(BAD), execaRunner)).rejects.toThrow(/haproxy -c rejected/);
    expect(listing(parent)).toEqual(['a', 'a/b', 'a/b/lb-web', 'a/b/lb-web/haproxy.cfg', 'a/b/web1', 'a/b/web1/app.json']);
  });

  it('stages inside OUT in a folder only its owner can enter, and replaces files keeping other entries', async () => {
    const out = tempDir('hactl-out-');
    writeFileSync(join(out, 'keep.me'), 'x\n');
    let seen: { path: string; mode: number } | undefined;
    const runner = recordingRunner(([, args]) => {
      const staging = String(args[2]).replace(/\/lb-web\/haproxy\.cfg$/, '');
      seen = { path: staging, mode: statSync(staging).mode & 0o777 };
      return {};
    });
    await writeRendered(out, files(GOOD), runner);
    expect(seen?.path.startsWith(join(out, '.hactl-staging-'))).toBe(true);
    expect(seen?.mode).toBe(0o700);
    expect(listing(out)).toEqual(['keep.me', 'lb-web', 'lb-web/haproxy.cfg', 'web1', 'web1/app.json']);
    expect(statSync(join(out, 'web1/app.json')).mode & 0o777).toBe(0o600);
  });
});
