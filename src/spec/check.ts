import { locate, parseClusterText, type ClusterDocument } from './document.js';
import { reservedNodeName, type Cluster, type StoreTier, type Tier } from './model.js';
import { normalize } from './normalize.js';
import type { Problem } from './problem.js';
import { crossFieldProblems } from './rules.js';
import { schemaProblems } from './schema.js';
import { clusterWarnings } from './warnings.js';

export interface CheckedCluster {
  parsed: ClusterDocument;
  cluster: Cluster;
  problems: Problem[];
  /** Valid, but not quite what the file says (spec/warnings.ts). */
  warnings: Problem[];
}

function explicitDbIds(raw: unknown): (number | undefined)[] {
  const db = (raw as { db?: unknown } | null)?.db;
  if (!Array.isArray(db)) return [];
  return db.map((d) => (d !== null && typeof d === 'object' && typeof (d as { id?: unknown }).id === 'number' ? (d as { id: number }).id : undefined));
}

/** Every problem of a parsed document at once, each with its position. */
export function checkDocument(parsed: ClusterDocument): CheckedCluster {
  const raw = parsed.data;
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
  // A warning about a defaulted value points at what makes it one (balancer.engine), not at the file's start.
  const at = (path: readonly (string | number)[]) => (parsed.doc.hasIn(path) ? path : ['balancer', 'engine']);
  const warnings = located.length > 0 ? [] : clusterWarnings(cluster).map((p) => ({ ...p, ...locate(parsed, at(p.path)) }));
  return { parsed, cluster, problems: located, warnings };
}

/** Parse and check cluster.yaml text (pure: no file access). */
export function checkClusterText(text: string): CheckedCluster {
  const { parsed, problems } = parseClusterText(text);
  if (problems.length > 0) return { parsed, cluster: normalize({}), problems, warnings: [] };
  return checkDocument(parsed);
}

/**
 * What is wrong with NODE on its own, as a new item of TIER's list, field by
 * field ("name: …"): checked before any edit, so that a value is never
 * pasted into the user's file unless it is a valid value of its field.
 * What it clashes with in the file is for the check of the edited file.
 */
export function newNodeProblems(tier: Tier | StoreTier, node: Record<string, unknown>): string[] {
  const raw = tier === 'web' ? { web: [node] } : { web: ['n'], [tier]: [node] };
  const found = schemaProblems(raw).map((p) => `${p.path.slice(2).join('.') || 'node'}: ${p.message}`);
  const reserved = typeof node.name === 'string' && !found.some((f) => f.startsWith('name:')) ? reservedNodeName(node.name) : undefined;
  if (reserved) found.push(`name: ${JSON.stringify(node.name)} is not available: ${reserved}`);
  return found;
}
