import { Document, LineCounter, isMap, isNode, isPair, isScalar, parseDocument, type Node } from 'yaml';
import type { Problem } from './problem.js';

/** A parsed cluster file: the YAML Document (kept for comment-preserving edits) and positions. */
export interface ClusterDocument {
  doc: Document;
  lines: LineCounter;
}

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
  return { parsed: { doc, lines }, problems };
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
): { line: number; col: number } | undefined {
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
  return undefined;
}
