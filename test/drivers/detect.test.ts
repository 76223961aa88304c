import { describe, expect, it } from 'vitest';
import { resolveRuntime } from '../../src/drivers/detect.js';
import { recordingRunner } from '../../src/util/runner.js';

describe('runtime: auto', () => {
  it('is compose where a Docker engine answers, and says why', async () => {
    const runner = recordingRunner(() => ({ stdout: '20.10.24\n' }));
    expect(await resolveRuntime('auto', runner)).toEqual({ runtime: 'compose', reason: 'a Docker engine answers (20.10.24)' });
    expect(runner.commands).toEqual([['docker', ['info', '--format', '{{.ServerVersion}}']]]);
  });

  it('is local where none answers (not installed, or not running)', async () => {
    expect(await resolveRuntime('auto', recordingRunner(() => ({ exitCode: 127, notFound: true })))).toEqual({ runtime: 'local', reason: 'no Docker engine answers' });
    expect(await resolveRuntime('auto', recordingRunner(() => ({ exitCode: 1, stderr: 'Cannot connect to the Docker daemon' })))).toMatchObject({ runtime: 'local' });
  });

  it('asks nothing when the runtime is given', async () => {
    const runner = recordingRunner();
    expect(await resolveRuntime('local', runner)).toEqual({ runtime: 'local' });
    expect(runner.commands).toEqual([]);
  });
});
