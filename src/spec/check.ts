import { locate, parseClusterText, type ClusterDocument } from './document.js';
import type { Cluster } from './model.js';
import { normalize } from './normalize.js';
import type { Problem } from './problem.js';
import { crossFieldProblems } from './rules.js';
import { schemaProblems } from './schema.js';

export interface CheckedCluster {
  parsed: ClusterDocument;
  cluster: Cluster;
  problems: Problem[];
}

function explicitDbIds(raw: unknown): (number | undefined)[] {
  const db = (raw as { db?: unknown } | null)?.db;
  if (!Array.isArray(db)) return [];
  return db.map((d) => (d !== null && typeof d === 'object' && typeof (d as { id?: unknown }).id === 'number' ? (d as { id: number }).id : undefined));
}

/** Every problem of a parsed document at once, each with its position. */
export function checkDocument(parsed: ClusterDocument): CheckedCluster {
  const raw: unknown = parsed.doc.toJS();
  const structural = schemaProblems(raw);
  const cluster = normalize(raw);
  const located: Problem[] = [
    ...structural.map((p) => ({ ...p, ...locate(parsed, p.key ? p.path.slice(0, -1) : p.path, p.key) })),
    ...crossFieldProblems(
      cluster,
      structural.map((p) => [...p.path]),
      explicitDbIds(raw),
    ).map((p) => ({ ...p, ...locate(parsed, p.path) })),
  ];
  located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
  return { parsed, cluster, problems: located };
}

/** Parse and check cluster.yaml text (pure: no file access). */
export function checkClusterText(text: string): CheckedCluster {
  const { parsed, problems } = parseClusterText(text);
  if (problems.length > 0) return { parsed, cluster: normalize({}), problems };
  return checkDocument(parsed);
}
