import type { Connection } from 'mysql2/promise';
import type { Secrets } from '../secrets/store.js';
import type { Runner } from '../util/runner.js';
import { driverFor } from '../drivers/select.js';
import type { Driver } from '../drivers/driver.js';
import { openProject } from '../ops/open.js';
import type { Project } from '../ops/project.js';
import { loadOrCreateSecrets } from '../secrets/store.js';
import { loadClusterFile } from '../spec/load.js';
import type { Cluster, ConcreteRuntime, Runtime } from '../spec/model.js';
import { conditionOf, type NodeStatusWord } from '../status/model.js';
import { collectStatus, readReplication, type NodeReplication, type ReplicationSource } from '../status/collect.js';
import { problemOf } from './problem.js';
import type { DashboardSnapshot, Problem } from './snapshot-model.js';
import { statSync } from 'node:fs';

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

/** A balancer reported on the node and checks it (it does not check a node in maintenance): its check result is current. */
const checkedNow = (status: NodeStatusWord) => !['stopped', 'unknown', 'maint'].includes(conditionOf(status));

/**
 * Reads snapshots of one project: cluster.yaml again only when it changed
 * (the dashboard reads several times a second), the runtime resolved once.
 */
export interface SnapshotReader {
  read(): Promise<DashboardSnapshot>;
  /** Let go of the kept DB connections (they would keep the process alive). */
  close(): void;
}

export async function snapshotReader(project: Project, runtimeOverride: Runtime | undefined, runner: Runner): Promise<SnapshotReader> {
  const opened = await openProject(project, runtimeOverride, runner);
  const runtime: ConcreteRuntime = opened.runtime;
  let cluster: Cluster = opened.cluster;
  let mtime = statSync(project.file).mtimeMs;
  let configError: Problem | null = null;
  let driver: Driver = await driverFor(runtime, project.stateDir, runner, cluster.name);
  const lastCheck = new Map<string, number>();
  const secrets = loadOrCreateSecrets(project.stateDir);
  const replication = keptReplication(() => driver, secrets);

  const read = async (): Promise<DashboardSnapshot> => {
    const now = statSync(project.file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
    if (now !== mtime) {
      mtime = now;
      try {
        const next = loadClusterFile(project.file).cluster;
        if (next.name !== cluster.name) driver = await driverFor(runtime, project.stateDir, runner, next.name);
        cluster = next;
        configError = null;
      } catch (err) {
        configError = problemOf(err);
      }
    }
    const status = await collectStatus(cluster, runtime, driver, secrets, replication.source);
    const observedAt = Date.now();
    for (const n of status.nodes) if (checkedNow(n.status)) lastCheck.set(n.name, observedAt);
    return {
      ...status,
      session_mode: cluster.sessionMode,
      check_interval_ms: cluster.health.intervalMs,
      observed_at: observedAt,
      last_check: Object.fromEntries(status.nodes.map((n) => [n.name, lastCheck.get(n.name) ?? null])),
      links: { site: status.endpoints.http, conntest: `${status.endpoints.http}conntest`, stats: status.endpoints.stats },
      config_error: configError,
    };
  };
  return { read, close: replication.close };
}
