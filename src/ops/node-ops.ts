import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { clusterProcesses, type Progress } from '../drivers/driver.js';
import { badInput } from '../errors.js';
import type { Cluster, Runtime } from '../spec/model.js';
import { followLog, tailLog } from '../util/log-file.js';
import type { Command, Runner } from '../util/runner.js';
import { openProject } from './open.js';
import type { Project } from './project.js';
import { driverFor } from '../drivers/select.js';
import { openContext } from './context.js';
import { withLock } from './lock.js';
import { up, type UpSummary } from './up.js';

function requireProcess(cluster: Cluster, name: string): void {
  const names = clusterProcesses(cluster).map((p) => p.name);
  if (!names.includes(name)) throw badInput(`there is no node named ${JSON.stringify(name)}; this cluster has ${names.join(', ')}`);
}

/** Stop one process and converge again, which starts it afresh: one plan, under one lock. */
export async function restartNode(project: Project, name: string, options: { runtime?: Runtime | undefined }, runner: Runner, progress: Progress): Promise<UpSummary> {
  // Checked before the lock: a bad name writes nothing, not even the lock file.
  requireProcess((await openProject(project, options.runtime, runner)).cluster, name);
  return up(project, { ...options, restart: name }, runner, progress);
}

/** Stop one process, under the cluster's lock; it stays stopped until start or the next up. */
export async function stopNode(project: Project, name: string, options: { runtime?: Runtime | undefined }, runner: Runner, progress: Progress): Promise<{ stopped: string }> {
  requireProcess((await openProject(project, options.runtime, runner)).cluster, name);
  const ctx = await openContext(project, options, runner, progress);
  await withLock(project.stateDir, 'stop', () => ctx.driver.stop(name, progress));
  return { stopped: name };
}

/** Start a stopped process: a converge, which starts whatever is missing. */
export async function startNode(project: Project, name: string, options: { runtime?: Runtime | undefined }, runner: Runner, progress: Progress): Promise<UpSummary> {
  requireProcess((await openProject(project, options.runtime, runner)).cluster, name);
  return up(project, options, runner, progress);
}

/** The last LINES lines of a node's log; with follow, then every new line until aborted. */
export async function nodeLog(
  project: Project,
  name: string,
  options: { runtime?: Runtime | undefined; lines: number; follow: boolean; signal?: AbortSignal },
  runner: Runner,
  write: (chunk: string) => void,
): Promise<void> {
  const { cluster, runtime } = await openProject(project, options.runtime, runner);
  requireProcess(cluster, name);
  const source = (await driverFor(runtime, project.stateDir, runner, cluster)).logSource(name, options.lines, options.follow);
  if ('command' in source) return streamCommand(source.command, write, options.signal);
  const file = source.file;
  if (!existsSync(file)) throw badInput(`${name} has no log yet (${file}): has it been started (hactl up)?`);
  const tail = tailLog(file, options.lines);
  write(tail.text);
  if (options.follow) await followLog(file, tail.end, write, options.signal);
}

/** A log that a program prints (docker logs): passed through until it ends or is aborted. */
function streamCommand([bin, args]: Command, write: (chunk: string) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => write(d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => write(d.toString('utf8')));
    signal?.addEventListener('abort', () => child.kill('SIGTERM'));
    child.on('error', reject);
    child.on('close', () => resolve());
  });
}
