import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { badInput, HactlError } from '../errors.js';

/**
 * A cluster file is a few KB; a thousand nodes take about 40 KB. Anything
 * past this is a mistake (-f /dev/zero, a log file), read no further.
 */
export const MAX_CLUSTER_FILE_BYTES = 1024 * 1024;

export function readClusterFile(file: string): string {
  let fd: number;
  try {
    // Non-blocking, so that a FIFO does not wait for a writer before fstat can refuse it.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw badInput(`${file} not found: run \`hactl init\` to write a starter cluster.yaml, or pass -f FILE`);
    if (e.code === 'EISDIR') throw badInput(`${file} is a folder, not a cluster file`);
    throw new HactlError(`cannot read ${file}: ${e.message}`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw badInput(`${file} is a folder, not a cluster file`);
    if (!stat.isFile()) throw badInput(`${file} is not a regular file (a device, FIFO or socket); a cluster file is plain text on disk`);
    if (stat.size > MAX_CLUSTER_FILE_BYTES) {
      throw badInput(`${file} is ${stat.size} bytes; a cluster file may be at most ${MAX_CLUSTER_FILE_BYTES} bytes (1 MiB)`);
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

