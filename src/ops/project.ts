import { dirname, join, resolve } from 'node:path';
import { STATE_DIR_NAME } from '../paths.js';

/** A cluster project: its cluster.yaml and the state folder beside it. */
export interface Project {
  file: string;
  dir: string;
  stateDir: string;
}

export function projectFor(file: string): Project {
  const abs = resolve(file);
  const dir = dirname(abs);
  return { file: abs, dir, stateDir: join(dir, STATE_DIR_NAME) };
}
