import { X509Certificate } from 'node:crypto';
import { chmodSync, copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalize } from '../../src/spec/normalize.js';
import { certificateBlocks, certInfo, servedPem } from '../../src/tls/certificate.js';
import { ensureServingCert, loadServingCert, readPair, tlsDir } from '../../src/tls/store.js';
import { execaRunner } from '../../src/util/runner.js';
import { tempDir } from '../support/temp.js';

const FIXTURE = (name: string) => new URL(`../fixtures/tls/${name}`, import.meta.url).pathname;
const cluster = (tls: Record<string, unknown> | null) => normalize({ name: 'certs', listen: '127.0.44.1', web: ['web1'], tls });
const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);

describe("hactl's own CA and certificate (made with Debian's openssl)", () => {
  it('makes a CA and a server certificate signed by it for the listen address, localhost and tls.names; keys mode 0600', async () => {
    const state = tempDir('hactl-tls-');
    const { cert, made } = await ensureServingCert(state, state, cluster({ names: ['shop.example'] }), execaRunner);
    const files = tlsDir(state);
    expect(made).toEqual([files.caCert, files.own]);
    expect(cert!.source).toBe('own');
    expect(cert!.info.names).toEqual(['127.0.44.1', 'localhost', '127.0.0.1', '::1', 'shop.example']);
    expect([mode(files.caKey), mode(files.own), mode(files.caCert), mode(files.dir)]).toEqual(['600', '600', '644', '700']);
    const ca = new X509Certificate(readFileSync(files.caCert));
    const leaf = new X509Certificate(certificateBlocks(cert!.pem)[0]!);
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    // Under the 398 days browsers accept for a server certificate.
    expect((Date.parse(cert!.info.notAfter) - Date.now()) / 86_400_000).toBeLessThan(398);
  });

  it('makes nothing while the certificate covers the names; a new name makes a new one from the same CA', async () => {
    const state = tempDir('hactl-tls-');
    const first = await ensureServingCert(state, state, cluster({}), execaRunner);
    const again = await ensureServingCert(state, state, cluster({}), execaRunner);
    expect(again.made).toEqual([]);
    expect(again.cert!.info.fingerprint).toBe(first.cert!.info.fingerprint);
    const ca = readFileSync(tlsDir(state).caCert, 'utf8');
    const renamed = await ensureServingCert(state, state, cluster({ names: ['new.example'] }), execaRunner);
    expect(renamed.made).toEqual([tlsDir(state).own]);
    expect(renamed.cert!.info.names).toContain('new.example');
    expect(readFileSync(tlsDir(state).caCert, 'utf8')).toBe(ca);
  });

  it('serves a certificate set by hactl cert set before its own, and nothing without tls', async () => {
    const state = tempDir('hactl-tls-');
    await ensureServingCert(state, state, cluster({}), execaRunner);
    writeFileSync(tlsDir(state).set, servedPem(readFileSync(FIXTURE('site.crt'), 'utf8'), readFileSync(FIXTURE('site.key'), 'utf8')), { mode: 0o600 });
    expect(loadServingCert(state, state, cluster({}))!.source).toBe('set');
    expect(loadServingCert(state, state, normalize({ web: ['web1'] }))).toBeUndefined();
  });
});

describe("a certificate of the user's (tls.cert, tls.key)", () => {
  const project = () => {
    const dir = tempDir('hactl-tls-');
    copyFileSync(FIXTURE('site.crt'), join(dir, 'site.crt'));
    copyFileSync(FIXTURE('site.key'), join(dir, 'site.key'));
    chmodSync(join(dir, 'site.key'), 0o600);
    return dir;
  };

  it('is read relative to the project folder and checked against tls.names before it serves', async () => {
    const dir = project();
    const c = cluster({ cert: 'site.crt', key: 'site.key', names: ['shop.example'] });
    const { cert, made } = await ensureServingCert(join(dir, '.hactl'), dir, c, execaRunner);
    expect(made).toEqual([]);
    expect(cert!.source).toBe('file');
    expect(cert!.info.fingerprint).toBe(certInfo(readFileSync(FIXTURE('site.crt'), 'utf8')).fingerprint);
    await expect(ensureServingCert(join(dir, '.hactl'), dir, cluster({ cert: 'site.crt', key: 'site.key', names: ['other.example'] }), execaRunner)).rejects.toMatchObject({
      exitCode: 2,
      details: [`${join(dir, 'site.crt')}: does not cover other.example (tls.names); it covers localhost, 127.0.0.1, shop.example`],
    });
  });

  it('refuses a key that others may read, naming it and its mode', () => {
    const dir = project();
    chmodSync(join(dir, 'site.key'), 0o644);
    expect(() => readPair(join(dir, 'site.crt'), join(dir, 'site.key'))).toThrow(expect.objectContaining({ exitCode: 2, details: [`${join(dir, 'site.key')}: the key is readable by others (mode 0644); chmod 600 ${join(dir, 'site.key')}`] }));
  });

  it('refuses a file that cannot be read, naming it', () => {
    const dir = project();
    expect(() => readPair(join(dir, 'gone.crt'), join(dir, 'site.key'))).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining(`${join(dir, 'gone.crt')}: cannot be read (ENOENT)`) }));
  });
});
