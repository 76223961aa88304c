import { rmSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Progress } from '../drivers/driver.js';
import { badInput } from '../errors.js';
import { planUp } from '../plan/changes.js';
import { loadClusterFile } from '../spec/load.js';
import { tlsSettings } from '../spec/normalize.js';
import type { Cluster } from '../spec/model.js';
import { servedPem } from '../tls/certificate.js';
import { certReport, type CertReport } from '../tls/report.js';
import { ensureServingCert, loadServingCert, makeOwnCert, readPair, tlsDir } from '../tls/store.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { readIfThereSync } from '../util/read-if-there.js';
import type { Runner } from '../util/runner.js';
import { changeCluster } from './change.js';
import { openContext, type OpContext, type OpOptions } from './context.js';
import type { Executed } from './execute.js';
import { withLock } from './lock.js';
import type { Project } from './project.js';
import { renderFor } from './render.js';
import { carryOut, planChange, type UpSummary } from './up.js';

export type { CertReport };

export function certShow(project: Project): CertReport {
  const cluster = loadClusterFile(project.file).cluster;
  requireTls(cluster);
  const report = certReport(project.stateDir, project.dir, cluster);
  if (!report) throw badInput(`no certificate is made yet for ${project.file}'s tls: hactl up or hactl cert renew makes hactl's own`);
  return report;
}

function requireTls(cluster: Cluster): asserts cluster is Cluster & { tls: NonNullable<Cluster['tls']> } {
  if (!cluster.tls) throw badInput('cluster.yaml has no tls: section, so lb-web serves no certificate (add tls: {} to turn HTTPS on)');
}

export type CertChange = UpSummary & Executed & { cert: CertReport };

/**
 * A new certificate from hactl's own CA, served at once (HAProxy: through
 * its runtime API; Apache: a graceful restart). It replaces one that hactl
 * cert set installed; a certificate named in cluster.yaml is the user's to
 * replace.
 */
export async function certRenew(project: Project, options: OpOptions, runner: Runner, progress: Progress): Promise<CertChange & { replaced_set: boolean }> {
  const cluster = loadClusterFile(project.file).cluster;
  requireTls(cluster);
  if (cluster.tls.cert !== undefined) {
    throw badInput(`the certificate is yours (tls.cert: ${cluster.tls.cert}); hactl renews only its own: put the new files in place and run hactl cert set --cert FILE --key FILE`);
  }
  const ctx = await openContext(project, options, runner, progress);
  return withLock(project.stateDir, 'cert', async () => {
    const files = tlsDir(project.stateDir);
    const before = { own: readIfThereSync(files.own), set: readIfThereSync(files.set) };
    progress('tls', 'making a new certificate from hactl\'s own CA');
    await makeOwnCert(project.stateDir, cluster, cluster.tls, runner);
    rmSync(files.set, { force: true });
    const done = await serveNow(ctx, cluster, () => {
      if (before.own !== undefined) writeFileAtomic(files.own, before.own, 0o600);
      if (before.set !== undefined) writeFileAtomic(files.set, before.set, 0o600);
    });
    return { ...done, replaced_set: before.set !== undefined };
  });
}

/**
 * Serve the user's CERT and KEY: checked first (PEM, the key matches, valid
 * now, covers tls.names, the key readable by its owner only), refused with
 * nothing changed otherwise. Kept for the next start: in cluster.yaml's
 * tls.cert and tls.key when it names the user's files, else as
 * .hactl/tls/set.pem.
 */
export async function certSet(project: Project, files: { cert: string; key: string }, options: OpOptions, runner: Runner, progress: Progress): Promise<CertChange> {
  const cluster = loadClusterFile(project.file).cluster;
  requireTls(cluster);
  const certFile = resolve(files.cert);
  const keyFile = resolve(files.key);
  const pair = readPair(certFile, keyFile, cluster.tls.names);
  if (cluster.tls.cert !== undefined) {
    // cluster.yaml names the user's files: it names the new ones, as the user would write them.
    const asWritten = (file: string) => {
      const rel = relative(project.dir, file);
      return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
    };
    return changeCluster(
      project,
      options,
      runner,
      progress,
      (src) => {
        src.setKeyIn('tls', 'cert', asWritten(certFile));
        src.setKeyIn('tls', 'key', asWritten(keyFile));
      },
      async (ctx, change) => withReport(ctx, change.next, await carryOut(ctx, change, await planChange(ctx, change, planUp))),
    );
  }
  const ctx = await openContext(project, options, runner, progress);
  return withLock(project.stateDir, 'cert', async () => {
    const set = tlsDir(project.stateDir).set;
    const before = readIfThereSync(set);
    writeFileAtomic(set, servedPem(pair.cert, pair.key), 0o600);
    return serveNow(ctx, cluster, () => (before === undefined ? rmSync(set, { force: true }) : writeFileAtomic(set, before, 0o600)));
  });
}

/** Converge to the certificate now on disk; if that fails, UNDO puts the previous one back and its files are written again. */
async function serveNow(ctx: OpContext, cluster: Cluster, undo: () => void): Promise<CertChange> {
  const change = { previous: cluster, next: cluster };
  try {
    return withReport(ctx, cluster, await carryOut(ctx, change, await planChange(ctx, change, planUp)));
  } catch (err) {
    undo();
    await ctx.driver.writeConfig(renderFor(ctx, cluster)).catch(() => undefined);
    throw err;
  }
}

function withReport(ctx: OpContext, cluster: Cluster, done: UpSummary & Executed): CertChange {
  return { ...done, cert: certReport(ctx.project.stateDir, ctx.project.dir, cluster)! };
}

/**
 * The certificate the dashboard serves over HTTPS: lb-web's (hactl's own,
 * made if need be, or the user's), or without tls: in cluster.yaml hactl's
 * own for the listen address and localhost. Read again on every call, so a
 * renewed one is taken up.
 */
export async function dashboardCert(project: Project, cluster: Cluster, runner: Runner): Promise<() => string> {
  // Without tls:, what an empty tls: section gives: hactl's own certificate for the listen address and localhost.
  const withTls = { ...cluster, tls: cluster.tls ?? tlsSettings({ tls: {} })! };
  await ensureServingCert(project.stateDir, project.dir, withTls, runner);
  return () => loadServingCert(project.stateDir, project.dir, withTls)!.pem;
}
