import { createHash, X509Certificate } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { execa } from 'execa';

/** What a client sees of one HTTPS request. */
export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One GET with Node's own https client, trusting CA only (no system store involved: only what the test made). */
export function httpsGet(url: string, ca: string, headers: Record<string, string> = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca, headers, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} in 5 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** Steady HTTPS GETs of URL, each on a new connection (a new handshake), WORKERS at a time, until stop(): how many, and which failed. */
export function steadyHttps(url: string, ca: string, workers = 4) {
  let running = true;
  const failures: string[] = [];
  let done = 0;
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      try {
        const r = await httpsGet(url, ca);
        if (r.status !== 200) failures.push(`status ${r.status}`);
      } catch (err) {
        failures.push((err as Error).message);
      }
      done++;
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return { done, failures };
    },
  };
}

/** The SHA-256 fingerprint of the certificate HOST:PORT serves now (checked against nothing: only read). */
export function servedFingerprint(host: string, port: number, servername = 'localhost'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, servername, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, () => {
      const fp = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fp);
    });
    socket.setTimeout(5000, () => socket.destroy(new Error(`no TLS handshake with ${host}:${port} in 5 s`)));
    socket.on('error', reject);
  });
}

/** `openssl s_client` with one protocol version forced, the client's own floor lowered so that it really offers it. */
export async function sClient(host: string, port: number, version: 'tls1' | 'tls1_1' | 'tls1_2' | 'tls1_3'): Promise<{ code: number; output: string }> {
  const r = await execa('openssl', ['s_client', '-connect', `${host}:${port}`, `-${version}`, '-cipher', 'DEFAULT:@SECLEVEL=0', '-brief'], { reject: false, input: '', timeout: 10_000 });
  return { code: r.exitCode ?? 1, output: `${r.stdout}\n${r.stderr}` };
}

/** Chromium's flag value that trusts exactly this certificate's key: base64 SHA-256 of its SubjectPublicKeyInfo. */
export function spkiHash(pem: string): string {
  const der = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

/**
 * A CA of the test's own in DIR (ca.crt, ca.key), and certificates it signs
 * for a user's own certificate: NAMES, valid now, or from/to given dates
 * (openssl ca, which takes them). Keys mode 0600.
 */
export class TestCa {
  constructor(readonly dir: string) {}

  async init(): Promise<this> {
    await openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(this.dir, 'ca.key'), '-out', join(this.dir, 'ca.crt'), '-days', '30', '-subj', '/CN=hactl test user CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
    writeFileSync(join(this.dir, 'index.txt'), '');
    writeFileSync(
      join(this.dir, 'ca.cnf'),
      `[ca]\ndefault_ca = test\n[test]\ndatabase = ${join(this.dir, 'index.txt')}\nnew_certs_dir = ${this.dir}\nrand_serial = yes\ndefault_md = sha256\npolicy = any\ncopy_extensions = copy\nunique_subject = no\n[any]\ncommonName = supplied\n`,
    );
    return this;
  }

  get caPem(): string {
    return readFileSync(join(this.dir, 'ca.crt'), 'utf8');
  }

  /** NAME.crt and NAME.key for NAMES, valid from START to END (openssl's YYYYMMDDHHMMSSZ; default: now for 30 days). */
  async issue(name: string, names: string[], dates: { start?: string; end?: string } = {}): Promise<{ cert: string; key: string }> {
    const [cert, key, csr] = ['crt', 'key', 'csr'].map((ext) => join(this.dir, `${name}.${ext}`)) as [string, string, string];
    const san = names.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    await openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${names[0]}`, '-addext', `subjectAltName=${san}`, '-addext', 'basicConstraints=critical,CA:FALSE');
    const validity = dates.start || dates.end ? ['-startdate', dates.start ?? '20200101000000Z', '-enddate', dates.end ?? '20210101000000Z'] : ['-days', '30'];
    await openssl('ca', '-batch', '-config', join(this.dir, 'ca.cnf'), '-cert', join(this.dir, 'ca.crt'), '-keyfile', join(this.dir, 'ca.key'), '-in', csr, '-out', cert, '-notext', ...validity);
    chmodSync(key, 0o600);
    return { cert, key };
  }
}

async function openssl(...args: string[]): Promise<void> {
  const r = await execa('openssl', args, { reject: false });
  if (r.exitCode !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}
