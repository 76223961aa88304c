import { Document, LineCounter, isMap, isNode, isPair, isScalar, parseDocument, visit, type Node } from 'yaml';
import type { Problem } from './problem.js';

/** A parsed cluster file: the YAML Document (kept for comment-preserving edits), positions, and its data. */
export interface ClusterDocument {
  doc: Document;
  lines: LineCounter;
  /** The document as plain data, aliases expanded; null when it has problems of YAML. */
  data: unknown;
}

/**
 * Aliases are expanded into plain data at most this many times: a few
 * anchors reused in a hand-written file stay far below it, while nested
 * aliases (a "billion laughs") would expand into gigabytes.
 */
const MAX_ALIAS_COUNT = 100;

export function parseClusterText(text: string): { parsed: ClusterDocument; problems: Problem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const problems: Problem[] = doc.errors.map((err) => ({
    path: [],
    // The library repeats the position in its message; we print it once, up front.
    message: `YAML syntax: ${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
    line: err.linePos?.[0].line,
    col: err.linePos?.[0].col,
  }));
  const parsed: ClusterDocument = { doc, lines, data: null };
  if (problems.length > 0) return { parsed, problems };
  const at = (node: Node | undefined) => (node?.range ? lines.linePos(node.range[0]) : { line: 1, col: 1 });
  let firstAlias: Node | undefined;
  visit(doc, {
    Alias(_, alias) {
      firstAlias ??= alias;
      if (!alias.resolve(doc)) problems.push({ path: [], message: `YAML: alias *${alias.source} has no anchor &${alias.source} before it`, ...at(alias) });
    },
  });
  if (problems.length > 0) return { parsed, problems };
  try {
    parsed.data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    problems.push({ path: [], message: `YAML: its aliases expand to more than ${MAX_ALIAS_COUNT} copies; write the nodes out instead`, ...at(firstAlias) });
  }
  return { parsed, problems };
}

/**
 * The position of PATH in the document, or of its closest ancestor that is
 * written in the file (a defaulted value has no position of its own).
 * With KEY, the position of that key inside the mapping at PATH.
 */
export function locate(
  { doc, lines }: ClusterDocument,
  path: readonly (string | number)[],
  key?: string,
): { line: number; col: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (!isNode(node)) continue;
    let target: Node = node;
    if (key !== undefined && n === path.length && isMap(node)) {
      const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && it.key.value === key);
      if (pair && isNode(pair.key)) target = pair.key;
    }
    const offset = target.range?.[0];
    if (offset === undefined) continue;
    return lines.linePos(offset);
  }
  // Nothing is written at all (an empty file): its start.
  return { line: 1, col: 1 };
}
