import { join } from 'node:path';
import { renderCluster, type RenderedFile } from '../render/index.js';
import { composeLayout, localLayout, type RenderTarget } from '../render/layout.js';
import { loadTemplateSources } from '../render/templates.js';
import { PACKAGE_ROOT } from '../paths.js';
import { loadOrCreateSecrets } from '../secrets/store.js';
import type { Cluster, ConcreteRuntime, Runtime } from '../spec/model.js';
import type { OpContext } from './context.js';
import type { Runner } from '../util/runner.js';
import { refuseUnusableTarget } from '../util/write-all.js';
import { openProject } from './open.js';
import type { Project } from './project.js';
import { writeRendered, type WriteResult } from '../drivers/write-rendered.js';
import type { Progress } from '../drivers/driver.js';
import { ensureServingCert, loadServingCert, ownCertDue } from '../tls/store.js';
import { displayPath } from '../util/display-path.js';
import { badInput, EXIT, HactlError } from '../errors.js';
import { locate } from '../spec/document.js';
import { inspectClusterFile } from '../spec/load.js';
import { formatProblem } from '../spec/problem.js';

export function targetFor(runtime: ConcreteRuntime, project: Project): RenderTarget {
  return {
    runtime,
    layout: runtime === 'local' ? localLayout(project.stateDir) : composeLayout,
    composeDir: join(PACKAGE_ROOT, 'compose'),
  };
}

/** CLUSTER's files for the context's runtime: what a plan writes and its processes read. */
export function renderFor(ctx: OpContext, cluster: Cluster, secrets = loadOrCreateSecrets(ctx.project.stateDir)): RenderedFile[] {
  return renderCluster(cluster, secrets, targetFor(ctx.runtime, ctx.project), loadTemplateSources(), servingPem(ctx.project, cluster, ctx.dryRun));
}

/** What a dry run renders for a certificate that up would make anew: it differs from the one on disk, as the new one will. */
const CERT_TO_MAKE = '# hactl up makes a new certificate from its own CA here\n';

/** The PEM lb-web serves for CLUSTER, as on disk (ensureServingCert has made or checked it, unless DRY_RUN). */
function servingPem(project: Project, cluster: Cluster, dryRun = false): string | undefined {
  if (dryRun && ownCertDue(project.stateDir, cluster)) return CERT_TO_MAKE;
  return loadServingCert(project.stateDir, project.dir, cluster)?.pem;
}

/** A refusal of cluster.yaml's own certificate, said at the line of tls.cert, as validation says a problem. */
function atTlsCert(project: Project, err: HactlError): HactlError {
  const { parsed } = inspectClusterFile(project.file);
  const problem = { path: ['tls', 'cert'], message: `${err.message.replace(/; the serving certificate is unchanged$/, '')}; nothing was changed`, ...locate(parsed, ['tls', 'cert']) };
  return badInput(formatProblem(displayPath(project.file), problem), err.details);
}

/**
 * Before a plan: hactl's own certificate made when tls wants one and there
 * is none (or it no longer covers the names), a user's checked; said on PROGRESS.
 */
export async function prepareCert(project: Project, cluster: Cluster, runner: Runner, progress: Progress, dryRun = false): Promise<void> {
  if (dryRun) {
    if (ownCertDue(project.stateDir, cluster)) progress('tls', "would make a new certificate from hactl's own CA (a dry run makes nothing)");
    return;
  }
  const { made } = await ensureServingCert(project.stateDir, project.dir, cluster, runner).catch((err: unknown) => {
    throw cluster.tls?.cert !== undefined && err instanceof HactlError && err.exitCode === EXIT.badInput ? atTlsCert(project, err) : err;
  });
  if (made.length > 0) progress('tls', `made ${made.map((f) => displayPath(f)).join(' and ')} (hactl's own CA; hactl cert show says how to trust it)`);
}

export interface RenderOptions {
  runtime?: Runtime | undefined;
  /** Default: STATE_DIR/rendered/RUNTIME */
  out?: string | undefined;
}

export interface RenderSummary extends WriteResult {
  runtime: ConcreteRuntime;
  out: string;
  files: RenderedFile[];
}

/** Validate cluster.yaml, render every file for the runtime, check, write: all of them or none. */
export async function renderProject(project: Project, options: RenderOptions, runner: Runner): Promise<RenderSummary> {
  const { cluster, runtime } = await openProject(project, options.runtime, runner, 'files');
  // A --out that can take no files at all is refused before secrets.json is made for them.
  if (options.out !== undefined) refuseUnusableTarget(options.out);
  const secrets = loadOrCreateSecrets(project.stateDir);
  await prepareCert(project, cluster, runner, () => undefined);
  const files = renderCluster(cluster, secrets, targetFor(runtime, project), loadTemplateSources(), servingPem(project, cluster));
  const out = options.out ?? join(project.stateDir, 'rendered', runtime);
  return { runtime, out, files, ...(await writeRendered(out, files, runner)) };
}
