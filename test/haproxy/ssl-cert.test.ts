import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { socketCommand } from '../../src/haproxy/socket-cli.js';
import { swapSslCert } from '../../src/haproxy/ssl-cert.js';
import { tempDir } from '../support/temp.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n';

/** A runtime API that answers as HAProxy 2.6 does (seen on this machine), recording what it was sent. */
function api(answers: Record<string, string>) {
  const sent: string[] = [];
  return {
    sent,
    call: async (command: string, payload?: string) => {
      sent.push(payload === undefined ? command : `${command} <<${payload.length}`);
      return answers[command.split(' ')[0]!] ?? '';
    },
  };
}

describe('swapping the certificate of a running HAProxy', () => {
  it('a transaction, then its commit', async () => {
    const a = api({ set: 'Transaction created for certificate site.pem!\n', commit: 'Committing site.pem.\nSuccess!\n' });
    await swapSslCert(a.call, 'site.pem', PEM);
    expect(a.sent).toEqual([`set ssl cert site.pem <<${PEM.length}`, 'commit ssl cert site.pem']);
  });

  it('a refused certificate is aborted and said, the old one serving on', async () => {
    const a = api({ set: 'unable to load the certificate: no private key\n' });
    await expect(swapSslCert(a.call, 'site.pem', PEM)).rejects.toThrow(/lb-web refused the new certificate for site\.pem: unable to load the certificate: no private key; the old one still serves/);
    expect(a.sent.slice(1)).toEqual(['abort ssl cert site.pem']);
  });

  it('a failed commit is aborted and said', async () => {
    const a = api({ set: 'Transaction updated for certificate site.pem!\n', commit: 'Committing site.pem.\nError: no such certificate\n' });
    await expect(swapSslCert(a.call, 'site.pem', PEM)).rejects.toThrow(/could not commit/);
    expect(a.sent.at(-1)).toBe('abort ssl cert site.pem');
  });
});

describe('a runtime API command with a payload', () => {
  it('sends "<<", the payload without trailing line breaks, and one empty line to end it', async () => {
    const socket = join(tempDir('hactl-sock-'), 'admin.sock');
    let received = '';
    const server = createServer((conn) => {
      conn.on('data', (d) => {
        received += d.toString();
        if (received.endsWith('\n\n')) conn.end('Transaction created\n');
      });
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      expect(await socketCommand(socket, 'set ssl cert site.pem', 2000, { payload: `${PEM}\n\n` })).toBe('Transaction created\n');
      expect(received).toBe(`set ssl cert site.pem <<\n${PEM.trimEnd()}\n\n`);
      // An empty line inside would end the payload early: refused before anything is sent.
      await expect(socketCommand(socket, 'set ssl cert site.pem', 2000, { payload: 'a\n\nb' })).rejects.toThrow(/no empty line/);
    } finally {
      server.close();
    }
  });
});
