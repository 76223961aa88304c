import { loadOrCreateSecrets, SECRET_KEYS } from '../secrets/store.js';
import { loadClusterFile } from '../spec/load.js';
import { toResolvedYamlShape } from '../spec/resolved.js';
import type { Project } from './project.js';

export interface ClusterDescription {
  file: string;
  state_dir: string;
  /** The resolved cluster.yaml: long form, defaults written out. */
  cluster: Record<string, unknown>;
  /** Redacted unless revealed on purpose. */
  secrets: Record<string, unknown>;
}

/** The resolved model of a project, as `hactl config` shows it. */
export function describeProject(project: Project, reveal: boolean): ClusterDescription {
  const { cluster } = loadClusterFile(project.file);
  const secrets = loadOrCreateSecrets(project.stateDir);
  return {
    file: project.file,
    state_dir: project.stateDir,
    cluster: toResolvedYamlShape(cluster),
    secrets: Object.fromEntries(SECRET_KEYS.map((k) => [k, reveal ? secrets[k].reveal() : secrets[k]])),
  };
}
