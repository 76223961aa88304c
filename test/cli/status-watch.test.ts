import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAIN, sleep } from '../support/cluster.js';
import { STARTER_YAML } from '../support/starter.js';
import { tempDir } from '../support/temp.js';

describe('status --watch', () => {
  it('outlives a reading that fails: says why, reads again, and goes on once cluster.yaml is whole again', async () => {
    const dir = tempDir('hactl-watch-');
    const file = join(dir, 'cluster.yaml');
    // Loopback addresses of its own, never started: every reading is a cluster that is down.
    writeFileSync(file, STARTER_YAML.replace(/^listen: .*$/m, 'listen: 127.0.69.1').replace(/^runtime: .*$/m, 'runtime: local'));
    const good = readFileSync(file, 'utf8');
    const watch = execa('node', [MAIN, 'status', '--watch', '0.3'], { cwd: dir, reject: false, env: { NO_COLOR: '1' }, timeout: 8_000 });
    await sleep(1500);
    writeFileSync(file, `${good}web: [web1, web1]\n`);
    await sleep(1200);
    writeFileSync(file, good);
    await sleep(1500);
    watch.kill('SIGINT');
    const r = await watch;
    expect(r.stderr).toMatch(/error: .* \(reading again in 0\.3 s\)/);
    const after = r.stdout.slice(r.stdout.lastIndexOf('refresh '));
    // The last reading is a whole status again.
    expect(after).toMatch(/cluster \S+ \(local\): down/);
  }, 20_000);
});
