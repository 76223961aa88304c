import { HactlError } from '../errors.js';

/** A runtime API command on lb-web's admin socket, with a payload for those that take one. */
export type RuntimeApi = (command: string, payload?: string) => Promise<string>;

/**
 * Serve PEM as the certificate HAProxy loaded from NAME (as its config
 * names it: crt site.pem), through its runtime API: a transaction (set ssl
 * cert), then its commit. The connections under way keep the old one; a
 * refused transaction is aborted, and the old one serves on.
 */
export async function swapSslCert(api: RuntimeApi, name: string, pem: string): Promise<void> {
  const set = await api(`set ssl cert ${name}`, pem);
  if (!/Transaction (created|updated)/i.test(set)) {
    await api(`abort ssl cert ${name}`).catch(() => undefined);
    throw new HactlError(`lb-web refused the new certificate for ${name}: ${set.trim() || 'no answer'}; the old one still serves`);
  }
  const commit = await api(`commit ssl cert ${name}`);
  if (!/Success!/.test(commit)) {
    await api(`abort ssl cert ${name}`).catch(() => undefined);
    throw new HactlError(`lb-web could not commit the new certificate for ${name}: ${commit.trim() || 'no answer'}; the old one still serves`);
  }
}
