import { tempDir } from '../support/temp.js';
import { readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkApacheConfig, checkHaproxyConfig } from '../../src/render/check.js';
import { renderCluster, type RenderedFile } from '../../src/render/index.js';
import { localLayout } from '../../src/render/layout.js';
import { loadTemplateSources } from '../../src/render/templates.js';
import { checkClusterText } from '../../src/spec/check.js';
import { execaRunner } from '../../src/util/runner.js';
import { renderFixture, SECRETS, target } from '../support/render-fixture.js';

const GOLDEN = new URL('../golden/', import.meta.url).pathname;

const fixtures: [string, string][] = [
  ['default', new URL('../../templates/cluster.yaml', import.meta.url).pathname],
  ['variety', new URL('../fixtures/render/variety.yaml', import.meta.url).pathname],
  ['none', new URL('../fixtures/render/none.yaml', import.meta.url).pathname],
  ['apache', new URL('../fixtures/render/apache.yaml', import.meta.url).pathname],
  ['tls', new URL('../fixtures/render/tls.yaml', import.meta.url).pathname],
  ['stores', new URL('../fixtures/render/stores.yaml', import.meta.url).pathname],
];

describe.each(fixtures)('rendering %s', (name, file) => {
  describe.each(['local', 'compose'] as const)('for the %s runtime', (runtime) => {
    const dir = join(GOLDEN, `${name}-${runtime}`);
    const files = renderFixture(file, runtime);

    it('matches the golden files exactly', () => {
      if (process.env.UPDATE_GOLDEN === '1') {
        for (const f of files) {
          mkdirSync(dirname(join(dir, f.path)), { recursive: true });
          writeFileSync(join(dir, f.path), f.content);
        }
      }
      const goldenFiles = readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
        .sort();
      expect(files.map((f) => f.path).sort()).toEqual(goldenFiles);
      for (const f of files) expect(f.content, f.path).toBe(readFileSync(join(dir, f.path), 'utf8'));
    });

    it('gives HAProxy configs that pass haproxy -c', async () => {
      const haproxy = files.filter((f) => f.kind === 'haproxy');
      expect(haproxy.map((f) => f.path)).toEqual([...(name === 'apache' ? [] : ['lb-web/haproxy.cfg']), 'lb-db/haproxy.cfg']);
      const tmp = tempDir('hactl-golden-');
      // Each beside the files rendered with it (lb-web's certificate), as hactl writes them.
      for (const f of files.filter((g) => g.kind === 'cert')) {
        mkdirSync(dirname(join(tmp, f.path)), { recursive: true });
        writeFileSync(join(tmp, f.path), f.content);
      }
      for (const f of haproxy) {
        const path = join(tmp, f.path);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, f.content);
        const check = await checkHaproxyConfig(execaRunner, path);
        expect(check, 'haproxy is not installed (apt-get install haproxy; .ci/run does)').toBeDefined();
        expect(check!.ok, `${f.path}: ${check!.output}`).toBe(true);
      }
    });

    it('gives Apache configs that pass apache2 -t (their runtime folder made, as hactl makes it first)', async () => {
      const apache = files.filter((f) => f.kind === 'apache');
      // Each local web node runs its own Apache; a compose one the image's (compose/web/apache-hactl.conf).
      const nodes = runtime === 'local' ? files.filter((f) => f.kind === 'app').map((f) => f.path.replace('app.json', 'httpd.conf')) : [];
      expect(apache.map((f) => f.path)).toEqual([...(name === 'apache' ? ['lb-web/httpd.conf'] : []), ...nodes]);
      for (const f of apache) {
        const tmp = tempDir('hactl-golden-');
        mkdirSync(join(tmp, 'run'));
        const path = join(tmp, 'httpd.conf');
        for (const cert of files.filter((g) => g.kind === 'cert' && dirname(g.path) === dirname(f.path))) writeFileSync(join(tmp, 'site.pem'), cert.content);
        const runDirs = [target(runtime).layout.apache().runDir, ...(f.runtimeDirs ?? [])];
        writeFileSync(path, runDirs.reduce((text, dir) => text.replaceAll(dir, join(tmp, 'run')), f.content));
        const check = await checkApacheConfig(execaRunner, path);
        expect(check, 'apache2 is not installed (apt-get install apache2; .ci/run does)').toBeDefined();
        expect(check!.ok, `${f.path}: ${check!.output}`).toBe(true);
      }
    });

    it('keeps secrets to files of mode 0600', () => {
      for (const f of files) {
        if (/golden-(root|repl|app|stats)/.test(f.content)) expect(f.mode, f.path).toBe(0o600);
      }
      expect(files.find((f) => f.kind === 'compose')?.content ?? '').not.toMatch(/golden-/);
    });
  });
});

describe('what the rendered configs say', () => {
  const byPath = (files: RenderedFile[], path: string) => files.find((f) => f.path === path)!.content;

  it('sticky mode: SERVERID cookie, each server\'s cookie, a stick table on PHPSESSID', () => {
    const web = byPath(renderFixture(fixtures[0]![1], 'local'), 'lb-web/haproxy.cfg');
    expect(web).toContain('cookie SERVERID insert indirect nocache httponly');
    expect(web).toContain('stick on req.cook(PHPSESSID)');
    expect(web).toMatch(/server web1 127\.0\.1\.1:8000 cookie S1 weight 100\n/);
    expect(web).toContain('balance roundrobin');
    expect(web).toContain('http-check send meth GET uri /health');
    expect(web).toContain('default-server check inter 250ms fall 2 rise 2');
  });

  it("tls: HTTPS beside HTTP with Mozilla's intermediate profile and h2, the client's protocol passed on, redirect, HSTS, a Secure sticky cookie", () => {
    const files = renderFixture(fixtures.find(([n]) => n === 'tls')![1], 'local');
    const web = byPath(files, 'lb-web/haproxy.cfg');
    expect(web).toContain('    default-path config\n');
    expect(web).toContain('    bind 127.0.0.1:9443 ssl crt site.pem alpn h2,http/1.1\n');
    expect(web).toContain('ssl-default-bind-options prefer-client-ciphers ssl-min-ver TLSv1.2 no-tls-tickets');
    expect(web).toMatch(/ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:[A-Z0-9:-]+\n/);
    expect(web).not.toMatch(/ssl-default-bind-ciphers [^\n]*(CBC|SHA1|RC4|3DES|:AES)/);
    expect(web).toContain('http-request redirect location https://%[req.hdr(host),regsub(:\\d+$,)]:9443%[capture.req.uri] code 301 if !{ ssl_fc }');
    expect(web).toContain('http-response set-header Strict-Transport-Security max-age=3600 if { ssl_fc }');
    expect(web).toContain('http-after-response replace-header Set-Cookie ^(SERVERID=.*)$ "\\1; Secure" if { ssl_fc }');
    expect(files.find((f) => f.path === 'lb-web/site.pem')).toMatchObject({ kind: 'cert', mode: 0o600 });
    // The compose file publishes the HTTPS port.
    expect(byPath(renderFixture(fixtures.find(([n]) => n === 'tls')![1], 'compose'), 'compose.yaml')).toContain('- 127.0.0.1:9443:9443');
  });

  it('without tls: no TLS at all, but the protocol is still passed on (a client cannot pass its own)', () => {
    const files = renderFixture(fixtures[0]![1], 'local');
    const web = byPath(files, 'lb-web/haproxy.cfg');
    expect(web).not.toMatch(/ ssl crt|ssl-default|Strict-Transport|default-path|Secure/);
    expect(web).toContain('http-request set-header X-Forwarded-Proto http if !{ ssl_fc }');
    expect(web).toContain('http-request del-header X-Forwarded-Tls if !{ ssl_fc }');
    expect(files.some((f) => f.kind === 'cert')).toBe(false);
  });

  it('db and none modes carry no persistence at all', () => {
    for (const fx of [fixtures[1]!, fixtures[2]!]) {
      const web = byPath(renderFixture(fx[1], 'local'), 'lb-web/haproxy.cfg');
      expect(web).not.toMatch(/cookie|stick/);
    }
  });

  it('drain is weight 0 and maint is disabled', () => {
    const web = byPath(renderFixture(fixtures[1]![1], 'local'), 'lb-web/haproxy.cfg');
    expect(web).toMatch(/server web2 127\.0\.1\.2:8000 weight 0\n/);
    expect(web).toMatch(/server web3 localhost:9000 weight 100 disabled\n/);
  });

  it('lb-db: the first master preferred, the others backup; the writer kept in a peered one-entry table; each node asked by its agent', () => {
    const db = byPath(renderFixture(fixtures[1]![1], 'local'), 'lb-db/haproxy.cfg');
    // A master that comes back must not end the sessions of the one that took over.
    expect(db).not.toContain('shutdown-backup-sessions');
    expect(db).toMatch(/server mysql1 127\.0\.2\.1:3306\n/);
    expect(db).toMatch(/stick-table type integer size 1k peers hactl\n\s+stick on int\(1\)\n/);
    expect(db).toMatch(/localpeer lb-db\n[\s\S]*peers hactl\n\s+peer lb-db 127\.0\.0\.1:8407\n/);
    expect(db).toMatch(/default-server check .*agent-check agent-port 9200 agent-inter 500ms/);
    expect(db).toMatch(/server mysql2 127\.0\.2\.2:3306 backup\n/);
    expect(db).toMatch(/server reporting 10\.0\.0\.9:3306 backup\n/);
    expect(db).toContain('bind 0.0.0.0:3310');
  });

  it('masters never generate the same key and have unique ids', () => {
    const files = renderFixture(fixtures[1]![1], 'local').filter((f) => f.kind === 'mariadb');
    const settings = files.map((f) => Object.fromEntries([...f.content.matchAll(/^(\w+) = (.*)$/gm)].map((m) => [m[1], m[2]])));
    expect(settings.map((s) => s.server_id)).toEqual(['1', '2', '7']);
    expect(settings.map((s) => s.gtid_domain_id)).toEqual(['1', '2', '7']);
    expect(new Set(settings.map((s) => s.auto_increment_increment))).toEqual(new Set(['10']));
    expect(settings.map((s) => s.auto_increment_offset)).toEqual(['1', '2', '7']);
    for (const s of settings) {
      expect(s.log_slave_updates).toBe('ON');
      expect(s.binlog_format).toBe('ROW');
      expect(s.log_bin).toMatch(/-bin$/);
    }
  });

  it('app settings: node name, session mode, DB through lb-db', () => {
    const files = renderFixture(fixtures[1]![1], 'local');
    const app = JSON.parse(byPath(files, 'web2/app.json'));
    expect(app.node).toEqual({ name: 'web2', address: '127.0.1.2', port: 8000 });
    expect(app.session.mode).toBe('db');
    expect(app.db).toMatchObject({ host: '127.0.0.1', port: 3310, name: 'shop', user: 'shop_app', password: 'golden-app' });
    const compose = JSON.parse(byPath(renderFixture(fixtures[1]![1], 'compose'), 'web2/app.json'));
    expect(compose.db.host).toBe('lb-db');
  });
});

describe('render safety', () => {
  const { cluster } = checkClusterText(readFileSync(fixtures[0]![1], 'utf8'));

  it('quotes a state folder with a space and refuses one with a quote', () => {
    const ok = renderCluster(cluster, SECRETS, { ...target('local'), layout: localLayout('/home/me/My Site/.hactl') }, loadTemplateSources());
    expect(ok[0]!.content).toContain("stats socket '/home/me/My Site/.hactl/run/lb-web.sock' mode 600");
    expect(() =>
      renderCluster(cluster, SECRETS, { ...target('local'), layout: localLayout("/home/me/it's/.hactl") }, loadTemplateSources()),
    ).toThrow(/cannot be written safely/);
  });

  it('refuses a model carrying a line break, even one that skipped validation', () => {
    const evil = { ...cluster, web: [{ ...cluster.web[0]!, name: 'web1\n    server evil 10.0.0.1:80' }] };
    expect(() => renderCluster(evil, SECRETS, target('local'), loadTemplateSources())).toThrow(/refusing to render: cluster\.web\[0\]\.name/);
  });

  it('has no golden folder without a fixture', () => {
    expect(existsSync(GOLDEN)).toBe(true);
    const expected = fixtures.flatMap(([n]) => [`${n}-compose`, `${n}-local`]).sort();
    expect(readdirSync(GOLDEN).sort()).toEqual(expected);
  });
});
