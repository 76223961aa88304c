import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { MAIN, TestCluster } from '../support/cluster.js';

// The compose runtime's refusals, before anything starts (entry points on
// 127.0.36.1 only; no container is ever created by this file).
const cluster = new TestCluster(36, { runtime: 'compose' });
afterAll(() => rmSync(cluster.dir, { recursive: true, force: true }));

const project = async () =>
  (await execa('docker', ['ps', '-a', '--filter', 'label=com.docker.compose.project=test36', '--format', '{{.Names}}'], { reject: false })).stdout;

describe('the compose runtime refuses plainly', () => {
  it('without a Docker engine: says how to get one or to use --runtime local', async () => {
    // A PATH with node and nothing else: no docker client at all.
    const bin = mkdtempSync(join(tmpdir(), 'hactl-nodocker-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const r = await execa(join(bin, 'node'), [MAIN, 'up', '--runtime', 'compose'], { cwd: cluster.dir, reject: false, env: { PATH: bin, NO_COLOR: '1' } });
    rmSync(bin, { recursive: true, force: true });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/no Docker engine answers, and the compose runtime needs one/);
    expect(r.stderr).toMatch(/sudo bash scripts\/docker-setup\.sh/);
    expect(r.stderr).toMatch(/--runtime local/);
  });

  it('with a published port already taken: names it and its holder, and starts nothing', async () => {
    const squatter = createServer().listen(18080, cluster.listen);
    await new Promise((r) => squatter.once('listening', r));
    try {
      const r = await cluster.hactl('up');
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`127\\.0\\.36\\.1:18080 is already in use, so lb-web cannot publish it \\(held by pid ${process.pid}`));
      expect(await project()).toBe('');
    } finally {
      squatter.close();
    }
  });
});

describe('a failed image build', () => {
  it('stops with the tail of the build log, exit 1, before anything is started', async () => {
    const { ComposeDriver } = await import('../../src/drivers/compose/compose-driver.js');
    const { recordingRunner } = await import('../../src/util/runner.js');
    const { checkClusterText } = await import('../../src/spec/check.js');
    const { loadOrCreateSecrets } = await import('../../src/secrets/store.js');
    const { HactlError } = await import('../../src/errors.js');
    const buildLog = Array.from({ length: 30 }, (_, i) => `step ${i}`).concat(['E: Unable to locate package haproxy']).join('\n');
    const runner = recordingRunner(([bin, args]) => {
      if (bin === 'docker' && args[0] === 'info') return { stdout: '20.10.24\n' };
      if (bin === 'docker' && args[0] === 'image') return { exitCode: 1, stderr: 'No such image' };
      if (bin === 'docker' && args[0] === 'build') return { exitCode: 1, stderr: buildLog };
      if (bin === 'docker' && args[0] === 'ps') return { stdout: '' };
      return {};
    });
    const state = mkdtempSync(join(tmpdir(), 'hactl-compose-unit-'));
    const { cluster } = checkClusterText('name: unit37\nlisten: 127.0.37.1\nweb: [web1]\ndb: [mysql1]\n');
    const driver = new ComposeDriver(state, runner, 'unit37');
    const error = await driver.up(cluster, loadOrCreateSecrets(state), new Map([['mysql1', 'start']]), () => undefined).catch((e: unknown) => e);
    rmSync(state, { recursive: true, force: true });
    expect(error).toBeInstanceOf(HactlError);
    expect((error as InstanceType<typeof HactlError>).exitCode).toBe(1);
    expect((error as Error).message).toBe('building hactl/haproxy failed');
    const details = (error as InstanceType<typeof HactlError>).details;
    expect(details.at(-1)).toBe('E: Unable to locate package haproxy');
    expect(details.length).toBe(15);
    // Nothing was started: no compose up, no other build.
    const ran = runner.commands.map(([bin, args]) => [bin, ...args].join(' '));
    expect(ran.filter((c) => c.includes(' up '))).toEqual([]);
    expect(ran.filter((c) => c.startsWith('docker build'))).toHaveLength(1);
  });
});
