import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { certificateBlocks, certInfo, daysLeft, keyBlock, pairProblems, servedPem, uncoveredNames } from '../../src/tls/certificate.js';

// A certificate made for the tests only (its CA's key was thrown away): localhost, 127.0.0.1 and shop.example, valid 2026-2126.
const CERT = readFileSync(new URL('../fixtures/tls/site.crt', import.meta.url), 'utf8');
const KEY = readFileSync(new URL('../fixtures/tls/site.key', import.meta.url), 'utf8');
const CA = readFileSync(new URL('../fixtures/tls/ca.crt', import.meta.url), 'utf8');
const NOW = new Date('2027-06-01T00:00:00Z');
const pair = (cert = CERT, key = KEY) => ({ cert, key, certFile: 'site.crt', keyFile: 'site.key' });

describe('what a certificate says', () => {
  it('reads subject, names, issuer, validity and fingerprint', () => {
    const info = certInfo(CERT);
    expect(info.subject).toBe('O=hactl, CN=localhost');
    expect(info.names).toEqual(['localhost', '127.0.0.1', 'shop.example']);
    expect(info.issuer).toBe('O=hactl, CN=hactl test-only CA');
    expect(Date.parse(info.notAfter)).toBeGreaterThan(Date.parse(info.notBefore));
    expect(info.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('counts whole days left, negative once expired', () => {
    expect(daysLeft({ notAfter: '2027-01-31T12:00:00Z' }, new Date('2027-01-01T12:00:00Z'))).toBe(30);
    expect(daysLeft({ notAfter: '2027-01-31T12:00:00Z' }, new Date('2027-02-02T12:00:00Z'))).toBe(-2);
  });

  it('serves the certificates first, then the key, and nothing else of the files', () => {
    const pem = servedPem(`junk\n${CERT}\n${CA}`, `# comment\n${KEY}`);
    expect(certificateBlocks(pem)).toHaveLength(2);
    expect(pem.indexOf('BEGIN CERTIFICATE')).toBeLessThan(pem.indexOf('PRIVATE KEY'));
    expect(pem).not.toMatch(/junk|comment/);
    expect(keyBlock(pem)).toBe(keyBlock(KEY));
  });
});

describe('a pair that cannot serve is refused, each reason naming its file', () => {
  it('takes a good pair', () => {
    expect(pairProblems(pair(), ['shop.example', 'localhost', '127.0.0.1'], NOW)).toEqual([]);
  });

  it('refuses a key that is not the certificate\'s', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(pairProblems(pair(CERT, other), [], NOW)).toEqual(['site.key: this key does not match the certificate in site.crt']);
  });

  it('refuses files that are not PEM, and an encrypted key', () => {
    expect(pairProblems(pair('hello', 'world'), [], NOW)).toEqual([
      'site.crt: not a PEM certificate (no -----BEGIN CERTIFICATE----- block)',
      'site.key: not a PEM private key (no readable -----BEGIN PRIVATE KEY----- block)',
    ]);
    const encrypted = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }) as string;
    expect(pairProblems(pair(CERT, encrypted), [], NOW)[0]).toMatch(/^site\.key: the key is encrypted/);
  });

  it('refuses one not valid yet, or expired', () => {
    expect(pairProblems(pair(), [], new Date('2000-01-01T00:00:00Z'))[0]).toMatch(/^site\.crt: not valid yet: valid from 2026-/);
    expect(pairProblems(pair(), [], new Date('2200-01-01T00:00:00Z'))[0]).toMatch(/^site\.crt: expired on 21\d\d-/);
  });

  it('refuses one that does not cover every name asked for, saying what it covers', () => {
    expect(pairProblems(pair(), ['shop.example', 'www.shop.example', '10.0.0.1'], NOW)).toEqual([
      'site.crt: does not cover www.shop.example, 10.0.0.1 (tls.names); it covers localhost, 127.0.0.1, shop.example',
    ]);
  });

  it('matches addresses by IP entries and a wildcard name by a name under it', () => {
    expect(uncoveredNames(CERT, ['127.0.0.1', '127.0.0.2', '*.shop.example', 'localhost'])).toEqual(['127.0.0.2', '*.shop.example']);
  });
});
