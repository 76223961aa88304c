import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, statSync, watch } from 'node:fs';
import { clusterProcesses, type Progress } from '../drivers/driver.js';
import { badInput } from '../errors.js';
import type { Cluster, Runtime } from '../spec/model.js';
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
  const source = (await driverFor(runtime, project.stateDir, runner, cluster.name)).logSource(name, options.lines, options.follow);
  if ('command' in source) return streamCommand(source.command, write, options.signal);
  const file = source.file;
  if (!existsSync(file)) throw badInput(`${name} has no log yet (${file}): has it been started (hactl up)?`);
  let offset = statSync(file).size;
  const start = tailOffset(file, options.lines);
  write(readRange(file, start, offset));
  if (!options.follow) return;
  await new Promise<void>((resolve) => {
    const watcher = watch(file, () => {
      const size = statSync(file).size;
      if (size < offset) offset = 0; // truncated
      if (size > offset) {
        write(readRange(file, offset, size));
        offset = size;
      }
    });
    options.signal?.addEventListener('abort', () => {
      watcher.close();
      resolve();
    });
  });
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

function readRange(file: string, start: number, end: number): string {
  if (end <= start) return '';
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(end - start);
    readSync(fd, buf, 0, buf.length, start);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Where the last N lines of FILE begin, reading backwards in blocks (logs can be large). */
function tailOffset(file: string, lines: number): number {
  const size = statSync(file).size;
  let pos = size;
  let newlines = 0;
  const block = 64 * 1024;
  while (pos > 0) {
    const from = Math.max(0, pos - block);
    const chunk = readRange(file, from, pos);
    for (let i = chunk.length - 1; i >= 0; i--) {
      // The file's own last newline ends the last line; it does not start one.
      if (chunk[i] === '\n' && !(from + i === size - 1) && ++newlines === lines) return from + Buffer.byteLength(chunk.slice(0, i + 1));
    }
    pos = from;
  }
  return 0;
}
