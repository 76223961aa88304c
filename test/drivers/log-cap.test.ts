import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { apacheNode } from '../../src/drivers/local/commands.js';
import { groupAlive, startDetached, stopGroup } from '../../src/drivers/local/supervisor.js';
import { renderApacheNode } from '../../src/render/apache-node.js';
import { localLayout } from '../../src/render/layout.js';
import { loadTemplateSources } from '../../src/render/templates.js';
import { checkClusterText } from '../../src/spec/check.js';
import { eventually, sleep } from '../support/cluster.js';
import { tempDir } from '../support/temp.js';

const sizeOf = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/** The capping loops still looking after LOG (found by their arguments, never signalled). */
async function cappers(log: string): Promise<string[]> {
  const r = await execa('ps', ['-eo', 'args='], { reject: false });
  return r.stdout.split('\n').filter((args) => args.includes('hactl-log-cap') && args.includes(log));
}

describe('a local process log, capped', () => {
  it('stays near its cap while the process writes many times more, keeps NAME.1, and the loop ends with the process', async () => {
    const log = join(tempDir('hactl-cap-'), 'lb-web.log');
    // 400 lines of 40 bytes, one every 5 ms: 16 KB in about 2 s, against a cap of 2 KB looked at every 0.1 s.
    const writer = 'i=0; while [ $i -lt 400 ]; do printf "line %04d padded to forty bytes......\\n" $i; i=$((i+1)); sleep 0.005; done';
    const pid = startDetached(['sh', ['-c', writer]], { logFile: log, logCap: { bytes: 2000, checkSeconds: 0.1 } });
    let largest = 0;
    while (groupAlive(pid)) {
      largest = Math.max(largest, sizeOf(log), sizeOf(`${log}.1`));
      await sleep(20);
    }
    // The cap, and what a slow 0.1 s check lets past it on a busy machine.
    expect(largest).toBeGreaterThanOrEqual(2000);
    expect(largest).toBeLessThan(6000);
    const current = readFileSync(log, 'utf8');
    const older = readFileSync(`${log}.1`, 'utf8');
    for (const line of [...older.split('\n'), ...current.split('\n')].filter(Boolean)) expect(line).toMatch(/^line \d{4} padded to forty bytes\.{6}$/);
    // The last line is kept: at the end of the log, or of NAME.1 when the loop's last look moved it there.
    expect((current.trim() ? current : older).trimEnd().split('\n').at(-1)).toBe('line 0399 padded to forty bytes......');
    expect(statSync(`${log}.1`).mode & 0o777).toBe(0o600);
    await eventually('the capping loop to end', async () => (await cappers(log)).length === 0, 5000);
  });

  it("holds PHP's errors of a web node as the local runtime runs it (its Apache's stderr)", async () => {
    // The node's own config, rendered for an app of one line in a folder of the test's own.
    const dir = tempDir('hactl-cap-');
    chmodSync(dir, 0o711); // as root, the children (www-data) pass through it
    const app = join(dir, 'compose', 'web', 'app');
    mkdirSync(app, { recursive: true });
    writeFileSync(join(app, 'router.php'), '<?php error_log("hactl test: boom"); echo "ok";');
    const { cluster } = checkClusterText('name: cap\nweb: [{name: web1, host: 127.0.120.9, port: 18090}]\ndb: [mysql1]\n');
    const target = { runtime: 'local' as const, layout: localLayout(join(dir, '.hactl')), composeDir: join(dir, 'compose') };
    const config = join(dir, 'httpd.conf');
    writeFileSync(config, renderApacheNode(cluster, cluster.web[0]!, target, loadTemplateSources().apacheNode));
    mkdirSync(target.layout.web('web1').runDir, { recursive: true });
    const log = join(dir, 'web1.log');
    const pid = startDetached(apacheNode(config), { logFile: log });
    try {
      await eventually('web1 to answer', async () => (await fetch('http://127.0.120.9:18090/').then((r) => r.text()).catch(() => '')) === 'ok');
      await eventually('the error in the log', async () => readFileSync(log, 'utf8').includes('hactl test: boom'));
    } finally {
      await stopGroup(pid);
    }
  });
});
