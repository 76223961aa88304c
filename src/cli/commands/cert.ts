import type { Command } from 'commander';
import type { CertChange, CertReport } from '../../ops/cert.js';
import { displayPath } from '../../util/display-path.js';
import { contextOf, examples } from '../context.js';
import type { Output } from '../output.js';
import { progressPrinter } from './up.js';

const SOURCE_WORDS: Record<CertReport['source'], string> = {
  own: "hactl's own CA",
  set: 'yours, installed by hactl cert set',
  file: "yours, named in cluster.yaml's tls.cert and tls.key",
};

/** The days left, yellow under 30 and red once expired (on a TTY). */
export function daysLeftText(out: Output, cert: { days_left: number; expiring: boolean }): string {
  const text = cert.days_left < 0 ? `expired ${-cert.days_left} day${cert.days_left === -1 ? '' : 's'} ago` : `${cert.days_left} day${cert.days_left === 1 ? '' : 's'} left`;
  if (cert.days_left < 0) return out.color.red(text);
  return cert.expiring ? out.color.yellow(`${text} (renew it: under 30)`) : text;
}

function printCert(out: Output, cert: CertReport): void {
  out.table(
    ['', 'certificate lb-web serves'],
    [
      ['from', SOURCE_WORDS[cert.source]],
      ['subject', cert.subject],
      ['names', cert.names.join(', ')],
      ['issuer', cert.issuer],
      ['valid', `${cert.notBefore} to ${cert.notAfter}`],
      ['days left', daysLeftText(out, cert)],
      ['SHA-256', cert.fingerprint],
      ['file', displayPath(cert.cert_file)],
    ],
  );
  if (cert.ca) out.print(`Trust hactl's own CA to reach it without warnings: curl --cacert ${displayPath(cert.ca)}, or import that file into a browser's authorities.`);
}

function printChange(out: Output, r: CertChange, line: string): void {
  if (out.json) return out.printJson(r);
  const how = r.told.some((t) => t.startsWith('set ssl cert'))
    ? 'swapped on the running lb-web through its runtime API, no reload'
    : r.reloaded.includes('lb-web')
      ? 'lb-web restarted gracefully to read it'
      : r.started.includes('lb-web')
        ? 'lb-web started with it'
        : 'lb-web serves it already: nothing to change';
  out.print(`${out.color.green('✓')} ${line}: ${how}`);
  printCert(out, r.cert);
}

export function register(program: Command): void {
  const cert = program.command('cert').description("lb-web's HTTPS certificate (tls: in cluster.yaml): show it, renew hactl's own, or serve yours");
  cert
    .command('show')
    .description('the certificate lb-web serves: subject, names, issuer, days left, fingerprint, and where hactl\'s CA is')
    .addHelpText('after', examples('hactl cert show', 'hactl cert show --json | jq .days_left'))
    .action(async (_opts: object, command: Command) => {
      const { project, out } = await contextOf(command);
      const { certShow } = await import('../../ops/cert.js');
      const r = certShow(project);
      if (out.json) out.printJson(r);
      else printCert(out, r);
    });
  cert
    .command('renew')
    .description("a new certificate from hactl's own CA, served at once (HAProxy: without a reload; Apache: a graceful restart)")
    .addHelpText('after', examples('hactl cert renew', 'hactl cert renew --json'))
    .action(async (_opts: object, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      const { certRenew } = await import('../../ops/cert.js');
      const r = await certRenew(project, { runtime }, runner, progressPrinter(out));
      printChange(out, r, `new certificate from hactl's own CA${r.replaced_set ? ' (it replaces the one hactl cert set installed)' : ''}`);
    });
  cert
    .command('set')
    .description('serve your certificate and key: checked first (PEM, the key matches, valid now, covers tls.names, the key not readable by others), then swapped on the running lb-web and kept for the next start')
    .requiredOption('--cert <file>', 'the certificate, PEM: the server\'s first, then its chain')
    .requiredOption('--key <file>', 'its private key, PEM, unencrypted, mode 0600')
    .addHelpText('after', examples('hactl cert set --cert site.crt --key site.key', 'hactl cert set --cert /etc/letsencrypt/live/shop/fullchain.pem --key /etc/letsencrypt/live/shop/privkey.pem'))
    .action(async (opts: { cert: string; key: string }, command: Command) => {
      const { project, out, runner, runtime } = await contextOf(command);
      const { certSet } = await import('../../ops/cert.js');
      const r = await certSet(project, opts, { runtime }, runner, progressPrinter(out));
      printChange(out, r, `serving ${displayPath(opts.cert)}`);
    });
}
