import { tempDir } from '../support/temp.js';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RenderedFile } from '../../src/render/index.js';
import { writeRendered } from '../../src/ops/write-rendered.js';
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
    await expect(writeRendered(out, files(BAD), execaRunner)).rejects.toMatchObject({
      message: expect.stringMatching(/haproxy -c rejected lb-web\/haproxy\.cfg; nothing was written/),
      details: [expect.stringMatching(/not-a-keyword/)],
    });
    expect(readFileSync(join(out, 'web1/app.json'), 'utf8')).toBe('old\n');
    expect(existsSync(join(out, 'lb-web'))).toBe(false);
  });

  it('runs haproxy as an argument array and reports when it is not installed', async () => {
    const out = join(tempDir('hactl-out-'), 'out');
    const runner = recordingRunner(() => ({ exitCode: 127, notFound: true }));
    const result = await writeRendered(out, files(GOOD), runner);
    expect(result.checks).toBeUndefined();
    expect(runner.commands).toEqual([['haproxy', ['-c', '-f', expect.stringMatching(/lb-web\/haproxy\.cfg$/)]]]);
  });
});
