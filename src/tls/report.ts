import type { Cluster } from '../spec/model.js';
import { daysLeft, EXPIRY_WARNING_DAYS, type CertInfo } from './certificate.js';
import { loadServingCert, tlsDir, type CertSource } from './store.js';

/** What hactl cert show says: the certificate lb-web serves, from where, and for how long. */
export interface CertReport extends CertInfo {
  source: CertSource;
  cert_file: string;
  key_file: string;
  days_left: number;
  /** Under EXPIRY_WARNING_DAYS days left, or expired. */
  expiring: boolean;
  /** hactl's own CA, when its certificate serves: what a browser or curl --cacert trusts. */
  ca?: string;
}

/** The certificate CLUSTER serves as a report; undefined without tls. */
export function certReport(stateDir: string, projectDir: string, cluster: Cluster, now = new Date()): CertReport | undefined {
  const cert = loadServingCertQuietly(stateDir, projectDir, cluster);
  if (!cert) return undefined;
  const days = daysLeft(cert.info, now);
  return {
    source: cert.source,
    cert_file: cert.certFile,
    key_file: cert.keyFile,
    ...cert.info,
    days_left: days,
    expiring: days < EXPIRY_WARNING_DAYS,
    ...(cert.source === 'own' ? { ca: tlsDir(stateDir).caCert } : {}),
  };
}

/** For status: a certificate not made yet, or a file gone, is no certificate to report rather than a failed status. */
function loadServingCertQuietly(stateDir: string, projectDir: string, cluster: Cluster) {
  try {
    return loadServingCert(stateDir, projectDir, cluster);
  } catch {
    return undefined;
  }
}

