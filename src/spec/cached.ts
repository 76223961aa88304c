import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { Cluster } from './model.js';
import { readClusterFile } from './read.js';

const CACHE_FILE = 'cluster-model.json';

/**
 * This hactl's checks, as files: the model of a text is the same as long as
 * they are (a rebuild or an update writes them anew). undefined when they
 * cannot be told (run from source): then nothing is cached.
 */
function checksIdentity(): string | undefined {
  const dir = dirname(fileURLToPath(import.meta.url));
  if (!existsSync(join(dir, 'cluster-validator.js'))) return undefined;
  const h = createHash('sha256');
  for (const name of readdirSync(dir).sort()) {
    const stat = statSync(join(dir, name));
    h.update(`${name}\0${stat.mtimeMs}\0${stat.size}\0`);
  }
  return h.digest('hex');
}

/**
 * FILE's valid model, as loadClusterFile gives it, kept in STATE_DIR for
 * as long as the file's text and hactl's checks are the same: a command
 * that only reads (status, the dashboard) then loads neither the YAML
 * parser nor the validator, a fifth of hactl status. Problems are thrown as
 * loadClusterFile throws them.
 */
export async function loadClusterModel(file: string, stateDir: string): Promise<Cluster> {
  const text = readClusterFile(file);
  const checks = checksIdentity();
  const key = checks && `${createHash('sha256').update(text).digest('hex')}:${checks}`;
  const cacheFile = join(stateDir, CACHE_FILE);
  if (key) {
    try {
      const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as { key?: string; cluster?: Cluster };
      if (cached.key === key && cached.cluster) return cached.cluster;
    } catch {
      /* none yet, or torn: checked below */
    }
  }
  const { validCluster } = await import('./load.js');
  const { cluster } = validCluster(file, text);
  // Only beside a project that has its state folder already: a read makes none.
  if (key && existsSync(stateDir)) writeFileAtomic(cacheFile, `${JSON.stringify({ key, cluster })}\n`, 0o600);
  return cluster;
}
