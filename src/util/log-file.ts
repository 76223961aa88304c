import { closeSync, fstatSync, openSync, readSync, statSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Reading a log file that is capped by copy and truncation: once it is
 * full, NAME is copied to NAME.1 (the one older file kept, replacing the
 * previous one) and emptied in place. Readers find the newest lines at
 * NAME's end, the older ones at NAME.1's end; a file that has become
 * shorter than where a reader was has been truncated, and what the reader
 * had not read yet is in NAME.1 at the same offset.
 */

/** Where the older part of a capped log lives. */
export function rotatedLog(file: string): string {
  return `${file}.1`;
}

/** The end of a log at one moment: which file (inode) and how far. */
export interface LogMark {
  ino: number;
  size: number;
}

function statOrUndefined(file: string): LogMark | undefined {
  try {
    const { ino, size } = statSync(file);
    return { ino, size };
  } catch {
    return undefined;
  }
}

/** Where FILE ends now; undefined when there is no such file yet. */
export function markLog(file: string): LogMark | undefined {
  return statOrUndefined(file);
}

/** What was written to FILE after MARK, across a truncation in between. */
export function readSince(file: string, mark: LogMark | undefined): string {
  const now = statOrUndefined(file);
  if (!now) return '';
  // No file then, or another file now (removed and begun again): all of it is new.
  if (!mark || now.ino !== mark.ino) return readRange(file, 0, now.size);
  if (now.size >= mark.size) return readRange(file, mark.size, now.size);
  return restOfRotated(file, mark.size) + readRange(file, 0, now.size);
}

/** What NAME.1 holds past OFFSET: the lines a truncation took before they were read. */
function restOfRotated(file: string, offset: number): string {
  const old = statOrUndefined(rotatedLog(file));
  return old ? readRange(rotatedLog(file), offset, old.size) : '';
}

export function readRange(file: string, start: number, end: number): string {
  if (end <= start) return '';
  const fd = openSync(file, 'r');
  try {
    return readFd(fd, start, end);
  } finally {
    closeSync(fd);
  }
}

function readFd(fd: number, start: number, end: number): string {
  const buf = Buffer.alloc(end - start);
  const n = readSync(fd, buf, 0, buf.length, start);
  return buf.subarray(0, n).toString('utf8');
}

/**
 * Where the last LINES lines of FILE (SIZE bytes) begin, and how many of
 * them it has (fewer when it is shorter), reading backwards in blocks: a
 * log can be large.
 */
function tailStart(file: string, size: number, lines: number): { start: number; found: number } {
  if (lines <= 0) return { start: size, found: 0 };
  const fd = openSync(file, 'r');
  try {
    let pos = size;
    let newlines = 0;
    const block = 64 * 1024;
    while (pos > 0) {
      const from = Math.max(0, pos - block);
      const chunk = Buffer.alloc(pos - from);
      readSync(fd, chunk, 0, chunk.length, from);
      for (let i = chunk.length - 1; i >= 0; i--) {
        // The file's own last newline ends the last line; it does not start one.
        if (chunk[i] === 0x0a && from + i !== size - 1 && ++newlines === lines) return { start: from + i + 1, found: lines };
      }
      pos = from;
    }
    return { start: 0, found: size > 0 ? newlines + 1 : 0 };
  } finally {
    closeSync(fd);
  }
}

/**
 * The last LINES lines of the log, reaching back into NAME.1 when NAME
 * holds fewer (it has just been emptied), and the mark where they end.
 */
export function tailLog(file: string, lines: number): { text: string; end: LogMark | undefined } {
  const now = statOrUndefined(file);
  if (!now) return { text: '', end: undefined };
  const recent = tailStart(file, now.size, lines);
  const old = recent.found < lines ? statOrUndefined(rotatedLog(file)) : undefined;
  const older = old ? readRange(rotatedLog(file), tailStart(rotatedLog(file), old.size, lines - recent.found).start, old.size) : '';
  return { text: older + readRange(file, recent.start, now.size), end: now };
}

/**
 * Every line written to FILE after FROM, until SIGNAL aborts, across
 * truncations (the lines a truncation took before they were read come from
 * NAME.1) and across the file being removed and begun again. The folder is
 * watched, not the file: a watch on a removed file would stay on it.
 */
export function followLog(file: string, from: LogMark | undefined, write: (chunk: string) => void, signal?: AbortSignal): Promise<void> {
  let fd: number | undefined;
  let ino = -1;
  let offset = 0;
  const open = (): void => {
    try {
      fd = openSync(file, 'r');
      ino = fstatSync(fd).ino;
    } catch {
      fd = undefined; // not begun again yet
    }
    offset = 0;
  };
  const drain = (): void => {
    if (fd === undefined) return;
    const size = fstatSync(fd).size;
    if (size < offset) {
      write(restOfRotated(file, offset));
      offset = 0;
    }
    if (size > offset) {
      write(readFd(fd, offset, size));
      offset = size;
    }
  };
  const pump = (): void => {
    drain();
    const now = statOrUndefined(file);
    if (now && now.ino !== ino) {
      if (fd !== undefined) closeSync(fd);
      open();
      drain();
    }
  };
  open();
  if (from && from.ino === ino) offset = from.size;
  pump();
  const names = new Set([basename(file), basename(rotatedLog(file))]);
  return new Promise<void>((resolve) => {
    const watcher = watch(dirname(file), (_event, name) => {
      if (name === null || names.has(name)) pump();
    });
    // The folder removed (down --purge): nothing more will be written there.
    watcher.on('error', () => stop());
    // Events can be coalesced or lost (a busy folder, a network filesystem): a slow poll as well.
    const timer = setInterval(pump, 1000);
    const stop = (): void => {
      watcher.close();
      clearInterval(timer);
      if (fd !== undefined) closeSync(fd);
      resolve();
    };
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
  });
}
