import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../support/cluster.js';

// A local cluster of this test's own (127.0.66.1, 127.0.76.x, 127.0.86.x).
const cluster = new TestCluster(66);
beforeAll(async () => {
  const r = await cluster.hactl('up');
  expect(r.code, r.stderr).toBe(0);
}, 120_000);
afterAll(() => cluster.destroy(), 60_000);

async function status(url: string): Promise<number> {
  const res = await fetch(url);
  await res.text();
  return res.status;
}

describe('a reload that HAProxy refuses', () => {
  it("prints HAProxy's own reason from this attempt, then where the whole log is; the old configuration keeps serving", async () => {
    // `haproxy -c` passes a bind to a port that is taken: only the reload finds out.
    const squatter = createServer().listen(18405, cluster.listen);
    await new Promise((r) => squatter.once('listening', r));
    const yaml = join(cluster.dir, 'cluster.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('stats: 18404', 'stats: 18405'));
    try {
      for (let attempt = 1; attempt <= 2; attempt++) {
        const r = await cluster.hactl('up');
        expect(r.code, r.stderr).toBe(1);
        const lines = r.stderr.trimEnd().split('\n');
        const error = lines.findIndex((l) => l.startsWith('error: '));
        expect(lines.slice(error)).toEqual([
          'error: lb-web could not load its new configuration; the previous one is still serving',
          expect.stringMatching(/^ {2}Binding \[.*lb-web\/haproxy\.cfg:\d+\] for frontend stats: cannot bind socket \(Address already in use\) for \[127\.0\.66\.1:18405\]$/),
          '  [haproxy.main()] Some protocols failed to start their listeners! Exiting.',
          `  see ${join(cluster.dir, '.hactl/log/lb-web.log')}`,
          // The config that serves is back on disk too (src/ops/apply.ts).
          expect.stringMatching(/^ {2}version \d+ is back on disk and in the balancers \(1 step\)$/),
        ]);
      }
      expect(await status(cluster.url)).toBe(200);
    } finally {
      squatter.close();
      writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('stats: 18405', 'stats: 18404'));
    }
    const r = await cluster.hactl('up');
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('a web node of the local runtime, hactl logs', () => {
  it("shows the requests it served (not lb-web's health checks)", async () => {
    expect(await status(`${cluster.url}/?from=logs-test`)).toBe(200);
    const logs = (await Promise.all(['web1', 'web2'].map((n) => cluster.hactl('logs', n, '-n', '200')))).map((r) => r.stdout).join('\n');
    expect(logs).toMatch(/"GET \/\?from=logs-test HTTP\/1\.1" 200 \d+ "-" "node"/);
    // lb-web checks each node four times a second: none of those is a line.
    expect(logs.match(/GET \/health/g)?.length ?? 0).toBeLessThanOrEqual(2);
  });
});
