import { isMap, isNode, isScalar, isSeq, parseDocument, Scalar, stringify, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { HactlError } from '../errors.js';

type Path = readonly (string | number)[];
type Value = string | number | Record<string, string | number>;

/**
 * A YAML file edited by splicing its text at the positions of the parsed
 * nodes, so that everything outside the edited spot (comments, alignment,
 * quoting, flow or block style) stays byte for byte as the user wrote it.
 * The text is parsed again after every change.
 */
export class YamlSource {
  #text: string;
  #doc: Document;

  constructor(text: string) {
    this.#text = text;
    this.#doc = YamlSource.#parse(text);
  }

  get text(): string {
    return this.#text;
  }

  get doc(): Document {
    return this.#doc;
  }

  static #parse(text: string): Document {
    const doc = parseDocument(text);
    if (doc.errors.length > 0) throw new HactlError(`internal error: an edit produced invalid YAML: ${doc.errors[0]!.message}`);
    return doc;
  }

  node(path: Path): Node | undefined {
    const n = path.length === 0 ? this.#doc.contents : this.#doc.getIn(path, true);
    return isNode(n) ? n : undefined;
  }

  #splice(start: number, end: number, insert: string): void {
    this.#text = this.#text.slice(0, start) + insert + this.#text.slice(end);
    this.#doc = YamlSource.#parse(this.#text);
  }

  #lineStart(pos: number): number {
    return this.#text.lastIndexOf('\n', pos - 1) + 1;
  }

  #lineEnd(pos: number): number {
    const i = this.#text.indexOf('\n', pos);
    return i < 0 ? this.#text.length : i;
  }

  #column(pos: number): number {
    return pos - this.#lineStart(pos);
  }

  /** The '-' that introduces a block sequence item. */
  #dash(item: Node): number {
    let i = item.range![0] - 1;
    while (i >= 0 && /\s/.test(this.#text[i]!)) i--;
    return i;
  }

  /** VALUE as YAML text: flow style inside flow collections, block style indented to COLUMN otherwise. */
  #format(raw: Value, flow: boolean, column: number): string {
    const value = typeof raw === 'object' ? Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, quoteControl(v)])) : quoteControl(raw);
    if (typeof raw !== 'object') return stringify(value).trimEnd();
    if (flow) return stringify(value, { collectionStyle: 'flow' }).trimEnd();
    return stringify(value)
      .trimEnd()
      .split('\n')
      .join(`\n${' '.repeat(column)}`);
  }

  /**
   * Where NODE's own text ends. A block collection's range runs on over the
   * blank lines and comments after it, which belong to what follows.
   */
  #end(node: Node): number {
    if (isMap(node) && !node.flow && node.items.length > 0) {
      const last = node.items[node.items.length - 1] as Pair<Node, Node | null>;
      return this.#end(last.value ?? last.key);
    }
    if (isSeq(node) && !node.flow && node.items.length > 0) return this.#end(node.items[node.items.length - 1] as Node);
    return node.range![1];
  }

  /** Replace the node at PATH (a scalar, or a bare name turning into a mapping). */
  replace(path: Path, value: Value): void {
    const node = this.node(path);
    if (!node?.range) throw new HactlError(`internal error: nothing at ${path.join('.')} to replace`);
    const parent = this.node(path.slice(0, -1));
    const flow = (isSeq(parent) || isMap(parent)) && parent.flow === true;
    this.#splice(node.range[0], node.range[1], this.#format(value, flow, this.#column(node.range[0])));
  }

  /** Append VALUE to the sequence at PATH (created as a block list when missing). */
  append(path: Path, value: Value): void {
    const seq = this.node(path);
    if (seq === undefined && path.length === 1) {
      // No such list yet: start one at the end of the file.
      const sep = this.#text === '' || this.#text.endsWith('\n') ? '' : '\n';
      const at = this.#text.length;
      this.#splice(at, at, `${sep}${String(path[0])}:\n  - ${this.#format(value, false, 4)}\n`);
      return;
    }
    if (!isSeq(seq)) throw new HactlError(`${path.join('.')} is not a list in cluster.yaml`);
    const items = seq.items as Node[];
    const last = items[items.length - 1];
    if (seq.flow) {
      const at = last ? this.#end(last) : seq.range![0] + 1;
      this.#splice(at, at, `${last ? ', ' : ''}${this.#format(value, true, 0)}`);
      return;
    }
    const first = items[0]!;
    const indent = this.#text.slice(this.#lineStart(this.#dash(first)), this.#dash(first));
    const at = this.#lineEnd(this.#end(last!));
    this.#splice(at, at, `\n${indent}- ${this.#format(value, false, indent.length + 2)}`);
  }

  /** Remove item INDEX of the sequence at PATH, with its own line(s) in a block list. */
  remove(path: Path, index: number): void {
    const seq = this.node(path);
    if (!isSeq(seq)) throw new HactlError(`${path.join('.')} is not a list in cluster.yaml`);
    const items = seq.items as Node[];
    const item = items[index]!;
    if (seq.flow) {
      const next = items[index + 1];
      const prev = items[index - 1];
      if (next) this.#splice(item.range![0], next.range![0], '');
      else if (prev) this.#splice(this.#end(prev), this.#end(item), '');
      else this.#splice(item.range![0], this.#end(item), '');
      return;
    }
    const start = this.#lineStart(this.#dash(item));
    const end = Math.min(this.#lineEnd(this.#end(item)) + 1, this.#text.length);
    if (items.length > 1) {
      this.#splice(start, end, '');
      return;
    }
    // The last item of a block list: `key:` alone would mean null, so the list becomes `key: []`.
    const parent = this.node(path.slice(0, -1));
    const pair = isMap(parent) ? ((parent as YAMLMap).items as Pair<Node, Node | null>[]).find((p) => isScalar(p.key) && p.key.value === path.at(-1)) : undefined;
    if (!pair?.key.range) throw new HactlError(`internal error: cannot empty ${path.join('.')}`);
    const colon = this.#text.indexOf(':', pair.key.range[1]) + 1;
    this.#splice(start, end, '');
    this.#splice(colon, colon, ' []');
  }

  /** Set KEY of the mapping at PATH: in place when it exists, as a new last entry otherwise. */
  setKey(path: Path, key: string, value: string | number): void {
    const map = this.node(path);
    if (!isMap(map)) throw new HactlError(`${path.join('.') || 'the file'} is not a mapping in cluster.yaml`);
    const existing = map.get(key, true);
    if (isScalar(existing)) {
      this.replace([...path, key], value);
      return;
    }
    const pairs = (map as YAMLMap).items as Pair<Node, Node | null>[];
    const last = pairs[pairs.length - 1];
    const lastEnd = last ? this.#end(last.value ?? last.key) : undefined;
    if (map.flow) {
      const at = lastEnd ?? map.range![0] + 1;
      this.#splice(at, at, `${last ? ', ' : ''}${key}: ${this.#format(value, true, 0)}`);
      return;
    }
    if (!last) throw new HactlError(`internal error: cannot add ${key} to an empty block mapping`);
    const indent = ' '.repeat(this.#column(last.key.range![0]));
    const at = this.#lineEnd(lastEnd!);
    this.#splice(at, at, `\n${indent}${key}: ${this.#format(value, false, indent.length + 2)}`);
  }
}

/**
 * A string with a line break or another control character, double-quoted
 * with escapes: written plain, it would run over several lines and break
 * the file around it (validation then names the character).
 */
function quoteControl(value: unknown): unknown {
  if (typeof value !== 'string' || !/[\x00-\x1f\x7f]/.test(value)) return value;
  const scalar = new Scalar(value);
  scalar.type = Scalar.QUOTE_DOUBLE;
  return scalar;
}
