import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';
import { badInput, HactlError } from '../errors.js';
import type { Cluster, TlsSettings } from '../spec/model.js';
import { makeDirs, writeFileAtomic } from '../util/atomic-write.js';
import { readIfThereSync } from '../util/read-if-there.js';
import type { Runner } from '../util/runner.js';
import { certificateBlocks, certInfo, keyBlock, pairProblems, servedPem, uncoveredNames, type CertInfo } from './certificate.js';

/**
 * The certificates hactl keeps, under STATE_DIR/tls: its own CA (ca.crt,
 * ca.key), the certificate that CA signed for the cluster (own.pem), and
 * one that `hactl cert set` installed (set.pem, served instead of own.pem).
 * Keys and the PEMs that hold one are mode 0600.
 */
export function tlsDir(stateDir: string) {
  const dir = join(stateDir, 'tls');
  return { dir, caCert: join(dir, 'ca.crt'), caKey: join(dir, 'ca.key'), own: join(dir, 'own.pem'), set: join(dir, 'set.pem') };
}

/** Where the certificate that serves comes from: cluster.yaml's tls.cert and tls.key, hactl cert set, or hactl's own CA. */
export type CertSource = 'file' | 'set' | 'own';

export interface ServingCert {
  source: CertSource;
  /** What the balancer reads: the certificates, then the key. */
  pem: string;
  /** The files it was read from (one for set and own). */
  certFile: string;
  keyFile: string;
  info: CertInfo;
}

/** Days hactl's own server certificate is valid: under the 398 days browsers accept for a server certificate. */
const OWN_DAYS = 397;
const CA_DAYS = 3650;

/** The names hactl's own certificate covers: the listen address (unless a wildcard), localhost and its addresses, tls.names. */
export function ownNames(cluster: Pick<Cluster, 'listen'>, tls: TlsSettings): string[] {
  const listen = cluster.listen === '0.0.0.0' || cluster.listen === '::' ? [] : [cluster.listen];
  return [...new Set([...listen, 'localhost', '127.0.0.1', '::1', ...tls.names])];
}

/** A user's file named in cluster.yaml: relative to its folder. */
export function userFile(projectDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(projectDir, path);
}

/**
 * The certificate that serves CLUSTER, as it is on disk, good or not (status
 * shows an expired one); undefined without tls. Throws when hactl's own is
 * not made yet: ensureServingCert makes it and checks a user's.
 */
export function loadServingCert(stateDir: string, projectDir: string, cluster: Cluster): ServingCert | undefined {
  const tls = cluster.tls;
  if (!tls) return undefined;
  const files = tlsDir(stateDir);
  if (tls.cert !== undefined && tls.key !== undefined) {
    const certFile = userFile(projectDir, tls.cert);
    const keyFile = userFile(projectDir, tls.key);
    const [cert, key] = [readFileOrSay(certFile), readFileOrSay(keyFile)];
    const first = certificateBlocks(cert)[0];
    if (first === undefined) throw badInput(`${certFile} (tls.cert): not a PEM certificate`);
    return { source: 'file', pem: servedPem(cert, key), certFile, keyFile, info: certInfo(first) };
  }
  for (const [source, file] of [['set', files.set], ['own', files.own]] as const) {
    const pem = readIfThereSync(file);
    const first = pem === undefined ? undefined : certificateBlocks(pem)[0];
    if (pem !== undefined && first !== undefined && keyBlock(pem) !== undefined) return { source, pem, certFile: file, keyFile: file, info: certInfo(first) };
  }
  throw new HactlError(`hactl's own certificate is not made yet (${files.own}): hactl up or hactl cert renew makes it`);
}

function readFileOrSay(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw badInput(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); the serving certificate is unchanged`);
  }
}

/**
 * A certificate and key of the user's, checked as a balancer would take
 * them: both readable, PEM, the key for the certificate and readable by its
 * owner only. Bad input otherwise, naming the file and what is wrong.
 */
export function readPair(certFile: string, keyFile: string, names: readonly string[] = [], now = new Date()): { cert: string; key: string } {
  const cert = readFileOrSay(certFile);
  const key = readFileOrSay(keyFile);
  const mode = statSync(keyFile).mode & 0o777;
  const problems = pairProblems({ cert, key, certFile, keyFile }, names, now);
  // A key others may read is a key anyone on the machine may have copied.
  if ((mode & 0o007) !== 0) problems.push(`${keyFile}: the key is readable by others (mode ${mode.toString(8).padStart(4, '0')}); chmod 600 ${keyFile}`);
  if (problems.length > 0) throw badInput(`${problems.length === 1 ? 'this certificate cannot serve' : 'this certificate cannot serve, for these reasons'}; the serving certificate is unchanged`, problems);
  return { cert, key };
}

/**
 * Make sure the certificate CLUSTER serves exists: hactl's own is made
 * (with its CA on first use) when there is none, or when it no longer
 * covers ownNames (tls.names edited) or is no longer valid. Returns it, and
 * what was made, for the caller to say.
 */
export async function ensureServingCert(stateDir: string, projectDir: string, cluster: Cluster, runner: Runner): Promise<{ cert: ServingCert | undefined; made: string[] }> {
  const tls = cluster.tls;
  if (tls?.cert !== undefined && tls.key !== undefined) readPair(userFile(projectDir, tls.cert), userFile(projectDir, tls.key), tls.names);
  const made = tls && ownCertDue(stateDir, cluster) ? await makeOwnCert(stateDir, cluster, tls, runner) : [];
  return { cert: loadServingCert(stateDir, projectDir, cluster), made };
}

/** hactl's own certificate is what CLUSTER serves, and there is none yet, or it no longer covers ownNames or is not valid now. */
export function ownCertDue(stateDir: string, cluster: Cluster): boolean {
  const tls = cluster.tls;
  if (!tls || tls.cert !== undefined || existsSync(tlsDir(stateDir).set)) return false;
  const own = readIfThereSync(tlsDir(stateDir).own);
  return own === undefined || !ownStillGood(own, ownNames(cluster, tls));
}

function ownStillGood(pem: string, names: readonly string[]): boolean {
  const first = certificateBlocks(pem)[0];
  if (!first || !keyBlock(pem)) return false;
  const info = certInfo(first);
  const now = Date.now();
  return Date.parse(info.notBefore) <= now && now < Date.parse(info.notAfter) && uncoveredNames(first, names).length === 0;
}

/**
 * A new certificate from hactl's CA (the CA too, when there is none or it
 * has expired) for ownNames, written to own.pem. The keys are made in a
 * private temp folder and never leave it but into 0600 files.
 */
export async function makeOwnCert(stateDir: string, cluster: Cluster, tls: TlsSettings, runner: Runner): Promise<string[]> {
  const files = tlsDir(stateDir);
  makeDirs(files.dir, 0o700);
  const tmp = mkdtempSync(join(files.dir, '.new-'));
  const made: string[] = [];
  try {
    const caPem = readIfThereSync(files.caCert);
    if (caPem === undefined || !existsSync(files.caKey) || Date.parse(certInfo(caPem).notAfter) <= Date.now()) {
      await openssl(runner, [
        'req', '-x509', ...EC_KEY, '-nodes', '-keyout', join(tmp, 'ca.key'), '-out', join(tmp, 'ca.crt'), '-days', String(CA_DAYS),
        '-subj', `/O=hactl/CN=hactl CA for ${cluster.name}`,
        '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      ]);
      writeFileAtomic(files.caKey, readFileSync(join(tmp, 'ca.key'), 'utf8'), 0o600);
      writeFileAtomic(files.caCert, readFileSync(join(tmp, 'ca.crt'), 'utf8'), 0o644);
      made.push(files.caCert);
    }
    const names = ownNames(cluster, tls);
    const san = names.map((n) => (isIP(n) !== 0 ? `IP:${n}` : `DNS:${n}`)).join(',');
    await openssl(runner, [
      'req', '-x509', ...EC_KEY, '-nodes', '-keyout', join(tmp, 'own.key'), '-out', join(tmp, 'own.crt'), '-days', String(OWN_DAYS),
      '-subj', `/O=hactl/CN=${names[0]}`, '-CA', files.caCert, '-CAkey', files.caKey,
      '-addext', `subjectAltName=${san}`, '-addext', 'basicConstraints=critical,CA:FALSE',
      '-addext', 'keyUsage=critical,digitalSignature', '-addext', 'extendedKeyUsage=serverAuth',
    ]);
    const cert = readFileSync(join(tmp, 'own.crt'), 'utf8');
    writeFileAtomic(files.own, servedPem(cert, readFileSync(join(tmp, 'own.key'), 'utf8')), 0o600);
    made.push(files.own);
    return made;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** An ECDSA P-256 key: what Mozilla's intermediate profile names first, and quick to make. */
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];

async function openssl(runner: Runner, args: string[]): Promise<void> {
  const r = await runner.run(['openssl', args], { timeoutMs: 30_000 });
  if (r.notFound) throw new HactlError('openssl is not installed; it makes hactl\'s own certificates (apt-get install openssl)');
  if (r.exitCode !== 0) throw new HactlError(`openssl could not make a certificate: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
}
