import { appendFileSync, existsSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirs } from '../util/atomic-write.js';
import { readIfThereSync } from '../util/read-if-there.js';
import { isObject } from '../util/json-records.js';
import { rotatedLog } from '../util/log-file.js';

/**
 * The event log, .hactl/events.jsonl: every operation hactl applied (or
 * failed to) and every change of state seen in the cluster, one JSON object
 * a line, appended. A line is one write(2) on a file opened O_APPEND, so
 * two writers never interleave within one. Capped: past CAP_BYTES it moves
 * to events.jsonl.1 (the one older file kept) and begins again.
 */

export interface OperationEvent {
  at: string;
  type: 'operation';
  user: string;
  command: string;
  result: 'applied' | 'failed';
  /** The version of the history it recorded. */
  version?: number;
  error?: string;
  step?: string;
}

/** SUBJECT (a node, lb-db's writer, a replication link, the certificate, the cluster) went FROM one state TO another. */
export interface StateEvent {
  at: string;
  type: 'state';
  subject: string;
  from: string;
  to: string;
}

export type ClusterEvent = OperationEvent | StateEvent;

export const EVENTS_FILE = 'events.jsonl';
const CAP_BYTES = 4 * 1024 * 1024;

export function eventsFile(stateDir: string): string {
  return join(stateDir, EVENTS_FILE);
}

export function appendEvents(stateDir: string, events: readonly ClusterEvent[]): void {
  if (events.length === 0) return;
  const file = eventsFile(stateDir);
  makeDirs(stateDir, 0o700);
  if ((statSync(file, { throwIfNoEntry: false })?.size ?? 0) > CAP_BYTES) renameSync(file, rotatedLog(file));
  appendFileSync(file, events.map((e) => `${JSON.stringify(e)}\n`).join(''), { mode: 0o600 });
}

function isEvent(v: unknown): v is ClusterEvent {
  return isObject(v) && typeof v.at === 'string' && (v.type === 'operation' || v.type === 'state');
}

/** Every event of LINES that reads as one; a line cut short (a writer killed mid-line) or changed by hand is left out. */
export function parseEvents(lines: string): ClusterEvent[] {
  return lines.split('\n').flatMap((line) => {
    if (line.trim() === '') return [];
    try {
      const v: unknown = JSON.parse(line);
      return isEvent(v) ? [v] : [];
    } catch {
      return [];
    }
  });
}

/** The last LIMIT events, oldest first (the older file too, when the newest holds fewer). */
export function readEvents(stateDir: string, limit: number): ClusterEvent[] {
  const file = eventsFile(stateDir);
  const newest = parseEvents(readIfThereSync(file) ?? '');
  const all = newest.length < limit && existsSync(rotatedLog(file)) ? [...parseEvents(readIfThereSync(rotatedLog(file)) ?? ''), ...newest] : newest;
  return all.slice(-limit);
}
