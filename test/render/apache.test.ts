import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadfactor } from '../../src/render/apache.js';
import type { RenderedFile } from '../../src/render/index.js';
import { renderFixture } from '../support/render-fixture.js';

// lb-web on the apache engine (its golden files and apache2 -t are in golden.test.ts).
const FIXTURE = new URL('../fixtures/render/apache.yaml', import.meta.url).pathname;
const lbWeb = (files: RenderedFile[]) => files.find((f) => f.path === 'lb-web/httpd.conf')!.content;

describe.each(['local', 'compose'] as const)('the apache engine for the %s runtime', (runtime) => {
  const files = renderFixture(FIXTURE, runtime);

  it("renders lb-web's httpd.conf and the stats login instead of haproxy.cfg", () => {
    expect(files.filter((f) => f.path.startsWith('lb-web/')).map((f) => [f.path, f.kind, f.mode.toString(8)])).toEqual([
      ['lb-web/httpd.conf', 'apache', '644'],
      ['lb-web/htpasswd', 'login', '600'],
    ]);
  });

  it("says what cluster.yaml says: method, routes, shares, states, checks (at Apache's 100 ms floor)", () => {
    const conf = lbWeb(files);
    const host = (n: number) => (runtime === 'local' ? `127.0.1.${n}:8000` : `web${n}:8000`);
    const check = 'hcmethod=GET hcuri=/health hcinterval=100ms hcpasses=2 hcfails=3';
    expect(conf).toContain(`BalancerMember http://${host(1)} route=S1 loadfactor=39 ${check}\n`);
    expect(conf).toContain(`BalancerMember http://${host(2)} route=S2 loadfactor=20 ${check} status=+N\n`);
    expect(conf).toContain(`BalancerMember http://${host(3)} route=S3 loadfactor=39 ${check} status=+D\n`);
    expect(conf).toContain(`BalancerMember http://${host(4)} route=S4 loadfactor=100 ${check}\n`);
    expect(conf).toContain('ProxySet lbmethod=bybusyness stickysession=HACTLROUTE\n');
    expect(conf).toMatch(/RequestHeader edit Cookie .*PHPSESSID=\$2; HACTLROUTE=\.\$3"/);
  });

  it('carries no stickiness outside sticky mode, and round robin is byrequests', () => {
    const text = readFileSync(FIXTURE, 'utf8').replace('session_mode: sticky', 'session_mode: db').replace('method: leastconn', 'method: roundrobin');
    const conf = lbWeb(renderFixture(FIXTURE, runtime, text));
    expect(conf).not.toMatch(/stickysession|HACTLROUTE|Cookie/);
    expect(conf).toContain('ProxySet lbmethod=byrequests\n');
  });

  it("keeps the stats password out of httpd.conf: the login file holds its {SHA} hash, mode 0600, for Apache's children (nobody)", () => {
    const login = files.find((f) => f.path === 'lb-web/htpasswd')!;
    expect(lbWeb(files)).not.toContain('golden-stats');
    expect(login.content).toBe(`admin:{SHA}${createHash('sha1').update('golden-stats').digest('base64')}\n`);
    expect(login.owner).toEqual({ uid: 65534, gid: 65534 });
  });
});

describe('loadfactor: HAProxy weight 0-256 onto Apache 1-100, the same shares', () => {
  it.each([
    [256, 100],
    [100, 39],
    [50, 20],
    [1, 1],
    [0, 1],
  ])('weight %i -> loadfactor %i', (weight, lf) => expect(loadfactor(weight)).toBe(lf));
});
