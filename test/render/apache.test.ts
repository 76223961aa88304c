import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RenderedFile } from '../../src/render/index.js';
import { renderFixture } from '../support/render-fixture.js';

// lb-web on the apache engine (its golden files and apache2 -t are in golden.test.ts).
const FIXTURE = new URL('../fixtures/render/apache.yaml', import.meta.url).pathname;
const lbWeb = (files: RenderedFile[]) => files.find((f) => f.path === 'lb-web/httpd.conf')!.content;

describe.each(['local', 'compose'] as const)('the apache engine for the %s runtime', (runtime) => {
  const files = renderFixture(FIXTURE, runtime);

  it("renders lb-web's httpd.conf instead of haproxy.cfg, mode 0600 as it holds the stats login, and the certificate beside it", () => {
    expect(files.filter((f) => f.path.startsWith('lb-web/')).map((f) => [f.path, f.kind, f.mode.toString(8)])).toEqual([
      ['lb-web/httpd.conf', 'apache', '600'],
      ['lb-web/site.pem', 'cert', '600'],
    ]);
  });

  it("says what cluster.yaml says: method, routes, shares, states, checks (at Apache's 100 ms floor)", () => {
    const conf = lbWeb(files);
    const host = (n: number) => (runtime === 'local' ? `127.0.1.${n}:8000` : `web${n}:8000`);
    // A silent address (a killed container's) is given up after 2 s; a container's is looked up again every second.
    const check = `hcmethod=GET hcuri=/health hcinterval=100ms hcpasses=2 hcfails=3 hcexpr=ok200 connectiontimeout=2${runtime === 'compose' ? ' addressttl=1' : ''}`;
    expect(conf).toContain(`BalancerMember http://${host(1)} route=S1 loadfactor=100 ${check}\n`);
    expect(conf).toContain(`BalancerMember http://${host(2)} route=S2 loadfactor=50 ${check} status=+N\n`);
    expect(conf).toContain(`BalancerMember http://${host(3)} route=S3 loadfactor=100 ${check} status=+D\n`);
    expect(conf).toContain(`BalancerMember http://${host(4)} route=S4 loadfactor=1 ${check}\n`);
    expect(conf).toContain('ProxySet lbmethod=bybusyness stickysession=ROUTEID\n');
    expect(conf).toMatch(/RequestHeader edit Cookie .*PHPSESSID=\$2; ROUTEID=\.\$3"/);
    expect(conf).toContain('Header add Set-Cookie "ROUTEID=.%{BALANCER_WORKER_ROUTE}e; path=/; HttpOnly; SameSite=Lax" env=BALANCER_ROUTE_CHANGED');
  });

  it('HTTPS: a second vhost on the same balancer (one <Proxy> in the main server), TLS 1.2+, h2, HSTS, Secure ROUTEID', () => {
    const conf = lbWeb(files);
    expect(conf.match(/<Proxy balancer:\/\/web>/g)).toHaveLength(1);
    expect(conf.indexOf('<Proxy balancer://web>')).toBeLessThan(conf.indexOf('<VirtualHost'));
    expect(conf).toContain('SSLProtocol -all +TLSv1.2 +TLSv1.3\n');
    expect(conf).toContain('SSLCertificateFile ${HACTL_CONFIG_DIR}/site.pem');
    expect(conf).toContain('    Protocols h2 http/1.1\n');
    expect(conf).toContain('Header always set Strict-Transport-Security "max-age=63072000"');
    expect(conf).toContain('ROUTEID=.%{BALANCER_WORKER_ROUTE}e; path=/; HttpOnly; SameSite=Lax; Secure" env=BALANCER_ROUTE_CHANGED');
    expect(conf).toContain('RequestHeader set X-Forwarded-Tls "%{SSL_PROTOCOL}s %{SSL_CIPHER}s"');
    expect(conf.match(/ProxyPass \/ balancer:\/\/web\//g)).toHaveLength(2);
  });

  it('carries no stickiness outside sticky mode, and round robin is byrequests', () => {
    const text = readFileSync(FIXTURE, 'utf8').replace('session_mode: sticky', 'session_mode: db').replace('method: leastconn', 'method: roundrobin');
    const conf = lbWeb(renderFixture(FIXTURE, runtime, text));
    expect(conf).not.toMatch(/stickysession|ROUTEID|Cookie/);
    expect(conf).toContain('ProxySet lbmethod=byrequests\n');
  });

  it('asks for the stats login on the stats port only, as the Authorization header carries it (no password file for the children to open)', () => {
    const conf = lbWeb(files);
    const basic = Buffer.from('admin:golden-stats').toString('base64');
    expect(conf).toContain(`<If "%{SERVER_PORT} == '8404' && %{HTTP:Authorization} != 'Basic ${basic}'">\n        Redirect 401\n    </If>`);
    expect(conf).not.toMatch(/AuthUserFile|golden-stats/);
  });
});
