import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HactlError } from '../../src/errors.js';
import { forgetRuntime, recordedRuntime, recordRuntime, runtimeFromRecord } from '../../src/ops/runtime-record.js';
import { tempDir } from '../support/temp.js';

const local = { runtime: 'local' as const, since: '2026-12-02T14:00:00.000Z' };

describe('the recorded runtime', () => {
  it('is what auto means once a cluster has been started', () => {
    expect(runtimeFromRecord('auto', 'cluster.yaml', local)).toBe('local');
    expect(runtimeFromRecord('auto', '--runtime', local)).toBe('local');
  });

  it('leaves auto to the machine while nothing is recorded, and takes an explicit runtime as it is', () => {
    expect(runtimeFromRecord('auto', 'cluster.yaml', undefined)).toBeUndefined();
    expect(runtimeFromRecord('compose', '--runtime', undefined)).toBe('compose');
    expect(runtimeFromRecord('local', '--runtime', local)).toBe('local');
  });

  it.each([
    ['--runtime', /^--runtime compose contradicts this cluster's runtime: it was started as local processes/],
    ['cluster.yaml', /^runtime: compose in cluster.yaml contradicts this cluster's runtime/],
  ] as const)('refuses another runtime asked by %s with exit 2, saying how to keep it and how to switch', (by, message) => {
    let error: unknown;
    try {
      runtimeFromRecord('compose', by, local);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(HactlError);
    expect((error as HactlError).exitCode).toBe(2);
    expect((error as HactlError).message).toMatch(message);
    expect((error as HactlError).details.join('\n')).toMatch(/hactl down --purge .*then hactl up --runtime compose/);
  });

  it('is written once (0600), kept while the same runtime is recorded again, and forgotten', () => {
    const dir = tempDir('hactl-runtime-');
    expect(recordedRuntime(dir)).toBeUndefined();
    recordRuntime(dir, 'local');
    const first = recordedRuntime(dir)!;
    expect(first.runtime).toBe('local');
    expect(statSync(join(dir, 'runtime.json')).mode & 0o777).toBe(0o600);
    recordRuntime(dir, 'local');
    expect(recordedRuntime(dir)).toEqual(first);
    forgetRuntime(dir);
    expect(existsSync(join(dir, 'runtime.json'))).toBe(false);
  });

  it('reads a torn or hand-edited record as none', () => {
    const dir = tempDir('hactl-runtime-');
    for (const text of ['', '{"cluster": {"runtime": "swarm", "since": "x"}}', 'null']) {
      writeFileSync(join(dir, 'runtime.json'), text);
      expect(recordedRuntime(dir)).toBeUndefined();
    }
  });
});
