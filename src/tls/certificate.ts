import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { canonicalAddress } from '../util/net.js';

/**
 * What a certificate says, read with Node's own X.509 parser: no openssl
 * process for a status or a check. Pure: PEM text in, facts out.
 */
export interface CertInfo {
  subject: string;
  /** Its subjectAltName entries, as names and addresses (DNS:/IP Address: dropped). */
  names: string[];
  issuer: string;
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the DER, as colon-separated hex (what browsers show). */
  fingerprint: string;
  serial: string;
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const KEY_BLOCK = /-----BEGIN ((?:RSA |EC )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/;
const ENCRYPTED_KEY = /-----BEGIN (ENCRYPTED PRIVATE KEY|RSA PRIVATE KEY-----\s*Proc-Type: 4,ENCRYPTED)/;

/** The PEM certificates in TEXT, in order: the server's first, then its chain. */
export function certificateBlocks(text: string): string[] {
  return text.match(CERT_BLOCK) ?? [];
}

/** The PEM private key in TEXT, or undefined. */
export function keyBlock(text: string): string | undefined {
  return KEY_BLOCK.exec(text)?.[0];
}

export function certInfo(pem: string): CertInfo {
  const cert = new X509Certificate(pem);
  return {
    subject: cert.subject.replaceAll('\n', ', '),
    names: subjectAltNames(cert),
    issuer: cert.issuer.replaceAll('\n', ', '),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    fingerprint: cert.fingerprint256,
    serial: cert.serialNumber,
  };
}

function subjectAltNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .map((entry) => /^(DNS|IP Address):(.+)$/.exec(entry))
    .filter((m) => m !== null)
    .map(([, kind, name]) => (kind === 'DNS' ? name! : canonicalAddress(name!)));
}

/** Whole days from NOW until the certificate's end (negative once expired). */
export function daysLeft(info: Pick<CertInfo, 'notAfter'>, now: Date): number {
  return Math.floor((Date.parse(info.notAfter) - now.getTime()) / 86_400_000);
}

/** Under this many days left, status and the dashboard warn. */
export const EXPIRY_WARNING_DAYS = 30;

/** Whether CERT is good for NAME: an address by its IP entries, a wildcard name by a name under it. */
function covers(cert: X509Certificate, name: string): boolean {
  if (isIP(name) !== 0) return cert.checkIP(name) !== undefined;
  // A wildcard asked for is covered by the same wildcard (or a wider match) in the certificate.
  const probe = name.startsWith('*.') ? `hactl-probe${name.slice(1)}` : name;
  return cert.checkHost(probe, { wildcards: true, partialWildcards: false, singleLabelSubdomains: true }) !== undefined;
}

/** The names of NAMES that CERT does not cover. */
export function uncoveredNames(pem: string, names: readonly string[]): string[] {
  const cert = new X509Certificate(pem);
  return names.filter((n) => !covers(cert, n));
}

/**
 * Why a certificate and key pair cannot serve, as short phrases naming the
 * file each is about (empty: it can): not PEM, an encrypted key, a key that
 * is not the certificate's, not valid at NOW, a name it does not cover.
 */
export function pairProblems(pair: { cert: string; key: string; certFile: string; keyFile: string }, names: readonly string[], now: Date): string[] {
  const certs = certificateBlocks(pair.cert);
  const problems: string[] = [];
  if (certs.length === 0) problems.push(`${pair.certFile}: not a PEM certificate (no -----BEGIN CERTIFICATE----- block)`);
  let key: KeyObject | undefined;
  if (ENCRYPTED_KEY.test(pair.key)) problems.push(`${pair.keyFile}: the key is encrypted with a passphrase; the balancer needs it unencrypted (openssl pkey -in FILE -out NEW)`);
  else {
    const block = keyBlock(pair.key);
    try {
      if (block) key = createPrivateKey(block);
    } catch {
      /* reported below */
    }
    if (!key) problems.push(`${pair.keyFile}: not a PEM private key (no readable -----BEGIN PRIVATE KEY----- block)`);
  }
  if (certs.length === 0) return problems;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certs[0]!);
  } catch (err) {
    return [...problems, `${pair.certFile}: the certificate cannot be read (${(err as Error).message})`];
  }
  if (key && !cert.checkPrivateKey(key)) problems.push(`${pair.keyFile}: this key does not match the certificate in ${pair.certFile}`);
  if (now < new Date(cert.validFrom)) problems.push(`${pair.certFile}: not valid yet: valid from ${new Date(cert.validFrom).toISOString()}`);
  if (now > new Date(cert.validTo)) problems.push(`${pair.certFile}: expired on ${new Date(cert.validTo).toISOString()}`);
  const missing = names.filter((n) => !covers(cert, n));
  if (missing.length > 0) {
    const has = subjectAltNames(cert);
    problems.push(`${pair.certFile}: does not cover ${missing.join(', ')} (tls.names); it covers ${has.length > 0 ? has.join(', ') : 'no names (no subjectAltName)'}`);
  }
  return problems;
}

/** The PEM a balancer serves: the certificates (server first), then the key. */
export function servedPem(cert: string, key: string): string {
  return `${certificateBlocks(cert).join('\n')}\n${keyBlock(key) ?? ''}\n`;
}
