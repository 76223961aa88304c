import type { Connection } from 'mysql2/promise';
import { statSync } from 'node:fs';
import { readIfThereSync } from '../util/read-if-there.js';
import type { Driver } from '../drivers/driver.js';
import { driverFor } from '../drivers/select.js';
import { loadOrCreateSecrets, type Secrets } from '../secrets/store.js';
import { readVersion, renderedOnDisk, runningVersion } from '../history/store.js';
import { checkClusterText, type CheckedCluster } from '../spec/check.js';
import { toResolvedYamlShape } from '../spec/resolved.js';
import { loadClusterModel } from '../spec/cached.js';
import type { Cluster, Runtime } from '../spec/model.js';
import { collectStatus, readReplication, type NodeReplication, type ReplicationSource } from '../status/collect.js';
import type { ClusterStatus, HistoryStatus, TlsStatus } from '../status/model.js';
import { withTls } from '../status/summarize.js';
import { certReport } from '../tls/report.js';
import { processRows, type ProcessRow } from '../status/processes.js';
import type { Runner } from '../util/runner.js';
import { openProject } from './open.js';
import type { Project } from './project.js';

/** hactl status: one reading. */
export async function clusterStatus(project: Project, options: { runtime?: Runtime | undefined }, runner: Runner): Promise<ClusterStatus> {
  const { cluster, runtime } = await openProject(project, options.runtime, runner);
  const secrets = loadOrCreateSecrets(project.stateDir);
  const driver = await driverFor(runtime, project.stateDir, runner, cluster);
  const status = withTls(await collectStatus(cluster, runtime, driver, secrets), tlsStatus(project, cluster));
  return { ...status, history: historyStatus(project, driver, secrets) };
}

/**
 * Drift from the running version (the last applied): whether cluster.yaml
 * says something else now, compared as the model it describes (a comment
 * or a reordered key is no change), and which rendered files on disk are
 * not as it wrote them (compared with their secrets redacted, as
 * recorded); null before the first apply.
 */
function historyStatus(project: Project, driver: Driver, secrets: Secrets): HistoryStatus | null {
  let running: number | undefined;
  try {
    running = runningVersion(project.stateDir);
  } catch {
    // A history folder that cannot be read says nothing of drift; hactl history says what is wrong with it.
    return null;
  }
  if (running === undefined) return null;
  const version = readVersion(project.stateDir, running);
  const [then, now] = [version.cluster_yaml, readIfThereSync(project.file) ?? ''].map(checkClusterText) as [CheckedCluster, CheckedCluster];
  const model = (c: CheckedCluster) => (c.problems.length === 0 ? JSON.stringify(toResolvedYamlShape(c.cluster)) : undefined);
  const onDisk = renderedOnDisk(driver.configDir, Object.keys(version.files), secrets);
  return {
    running_version: running,
    cluster_yaml_changed: model(then) === undefined || model(then) !== model(now),
    files_changed: Object.entries(version.files)
      .filter(([path, content]) => onDisk[path] !== content)
      .map(([path]) => path),
  };
}

/** The certificate CLUSTER's lb-web serves, as status shows it. */
function tlsStatus(project: Project, cluster: Cluster): TlsStatus | null {
  const cert = certReport(project.stateDir, project.dir, cluster);
  if (!cert) return null;
  return { source: cert.source, subject: cert.subject, names: cert.names, not_after: cert.notAfter, days_left: cert.days_left, expiring: cert.expiring, fingerprint: cert.fingerprint };
}

/** hactl ps: every process of the cluster, where it runs, and how to kill it as a crash would. */
export async function processList(project: Project, options: { runtime?: Runtime | undefined }, runner: Runner): Promise<ProcessRow[]> {
  const { cluster, runtime } = await openProject(project, options.runtime, runner);
  const driver = await driverFor(runtime, project.stateDir, runner, cluster);
  return processRows(runtime, await driver.processes(cluster, { detail: true }));
}

/** How old a DB node's replication reading may be: four of its queries a second per node were most of the dashboard's work. */
const REPLICATION_MAX_AGE_MS = 1000;

/**
 * Replication read through one kept administrator connection per DB node,
 * at most once a REPLICATION_MAX_AGE_MS; a connection that fails is dropped
 * and opened again next time.
 */
function keptReplication(driver: () => Driver, secrets: Secrets): { source: ReplicationSource; close(): void } {
  const conns = new Map<string, Connection>();
  const readings = new Map<string, { at: number; value: NodeReplication | undefined }>();
  const close = () => {
    for (const conn of conns.values()) conn.destroy();
    conns.clear();
  };
  const source: ReplicationSource = async (name) => {
    const cached = readings.get(name);
    if (cached && Date.now() - cached.at < REPLICATION_MAX_AGE_MS) return cached.value;
    let value: NodeReplication | undefined;
    try {
      let conn = conns.get(name);
      if (!conn) {
        conn = await driver().dbRoot(name, secrets);
        // A node that dies closes it: the next reading opens another.
        conn.on('error', () => conns.delete(name));
        conns.set(name, conn);
      }
      value = await readReplication(conn);
    } catch {
      conns.get(name)?.destroy();
      conns.delete(name);
      value = undefined;
    }
    readings.set(name, { at: Date.now(), value });
    return value;
  };
  return { source, close };
}

export interface StatusReading {
  status: ClusterStatus;
  /** The cluster.yaml the reading is of: the last valid one. */
  cluster: Cluster;
  /** Why cluster.yaml as it is now does not load; null when it does. */
  configError: unknown;
}

export interface StatusReader {
  read(): Promise<StatusReading>;
  /** Let go of the kept DB connections (they would keep the process alive). */
  close(): void;
}

/**
 * Readings for a reader that asks again and again (the dashboard, several
 * times a second): the project opened once, cluster.yaml read again only
 * when it changes (an invalid one is reported beside the last valid
 * reading), one kept administrator connection per DB node.
 */
export async function statusReader(project: Project, runtimeOverride: Runtime | undefined, runner: Runner): Promise<StatusReader> {
  const opened = await openProject(project, runtimeOverride, runner);
  const runtime = opened.runtime;
  let cluster: Cluster = opened.cluster;
  let mtime = statSync(project.file).mtimeMs;
  let configError: unknown = null;
  let driver: Driver = await driverFor(runtime, project.stateDir, runner, cluster);
  const secrets = loadOrCreateSecrets(project.stateDir);
  const replication = keptReplication(() => driver, secrets);
  const read = async (): Promise<StatusReading> => {
    const now = statSync(project.file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    if (now !== mtime) {
      mtime = now;
      try {
        const next = await loadClusterModel(project.file, project.stateDir);
        if (next.name !== cluster.name || next.compose.containerPrefix !== cluster.compose.containerPrefix) driver = await driverFor(runtime, project.stateDir, runner, next);
        cluster = next;
        configError = null;
      } catch (err) {
        configError = err;
      }
    }
    const status = withTls(await collectStatus(cluster, runtime, driver, secrets, replication.source), tlsStatus(project, cluster));
    return { status: { ...status, history: historyStatus(project, driver, secrets) }, cluster, configError };
  };
  return { read, close: replication.close };
}
