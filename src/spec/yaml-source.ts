import { isDeepStrictEqual } from 'node:util';
import { isAlias, isMap, isNode, isScalar, isSeq, parse, parseDocument, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { badInput, HactlError } from '../errors.js';

type Path = readonly (string | number)[];
type Scalar = string | number | boolean;
type Value = Scalar | Record<string, Scalar>;

/**
 * SCALAR as YAML text that reads back as exactly SCALAR in a block and in a
 * flow collection alike: plain when nothing in it can mean anything else,
 * double-quoted otherwise (a JSON string is a valid YAML double-quoted one).
 * Plain `web3,web4` would be two items of a flow list, `true` a boolean.
 */
function scalarText(value: Scalar): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(value) && parse(value) === value) return value;
  return JSON.stringify(value);
}

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

  /** The whole file replaced by TEXT (a version of the history rolled back to). */
  replaceAll(text: string): void {
    this.#splice(0, this.#text.length, text);
  }

  static #parse(text: string): Document {
    const doc = parseDocument(text);
    if (doc.errors.length > 0) throw new NotYaml(doc.errors[0]!.message);
    return doc;
  }

  /**
   * The sequence at PATH, undefined when there is none yet. An alias there
   * is not edited: appending to it would change what its anchor names too.
   */
  #list(path: Path): YAMLSeq | undefined {
    const seq = this.node(path);
    if (seq === undefined) return undefined;
    if (isAlias(seq)) throw badInput(`${path.join('.')} in cluster.yaml is an alias (*${seq.source}); write the list out to change it`);
    if (!isSeq(seq)) throw badInput(`${path.join('.')} is not a list in cluster.yaml`);
    return seq;
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

  /**
   * Where NODE's text starts with its properties: the parser's range leaves
   * out an anchor or tag written before the value (`- &first web1`).
   */
  #start(node: Node): number {
    let start = node.range![0];
    for (;;) {
      let i = start - 1;
      while (i >= 0 && /[ \t]/.test(this.#text[i]!)) i--;
      let word = i;
      while (word >= 0 && !/[\s,[{]/.test(this.#text[word]!)) word--;
      if (word === i || !/^[&!]/.test(this.#text.slice(word + 1, i + 1))) return start;
      start = word + 1;
    }
  }

  /** The '-' that introduces a block sequence item. */
  #dash(item: Node): number {
    let i = this.#start(item) - 1;
    while (i >= 0 && /\s/.test(this.#text[i]!)) i--;
    return i;
  }

  /** VALUE as YAML text: flow style inside flow collections, block style indented to COLUMN otherwise. */
  #format(value: Value, flow: boolean, column: number): string {
    if (typeof value !== 'object') return scalarText(value);
    const entries = Object.entries(value).map(([k, v]) => `${k}: ${scalarText(v)}`);
    return flow ? `{ ${entries.join(', ')} }` : entries.join(`\n${' '.repeat(column)}`);
  }

  /**
   * Make one change, then insist that the file now reads back as before
   * with exactly that change (EXPECT applied to the data before). Anything
   * else, say an anchor whose aliases elsewhere would change too, is
   * refused and the text is left as it was.
   */
  #change(what: string, expect: (data: Record<string, unknown>) => void, splice: () => void): void {
    const before = this.#text;
    const wanted = this.#doc.toJS() as Record<string, unknown>;
    expect(wanted);
    let why: string | undefined;
    try {
      splice();
      if (!isDeepStrictEqual(readBack(this.#doc), wanted)) why = 'an anchor or alias there would change more than that';
    } catch (err) {
      if (!(err instanceof NotYaml)) throw err;
      why = `the result would not be YAML: ${err.message.split('\n')[0]}`;
    }
    if (why === undefined) return;
    this.#text = before;
    this.#doc = YamlSource.#parse(before);
    throw badInput(`cannot ${what} in cluster.yaml as it is written (${why}); edit it by hand`);
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
    this.#change(`change ${path.join('.')}`, (data) => setIn(data, path, value), () => this.#replace(path, value));
  }

  #replace(path: Path, value: Value): void {
    const node = this.node(path);
    if (!node?.range) throw new HactlError(`internal error: nothing at ${path.join('.')} to replace`);
    const parent = this.node(path.slice(0, -1));
    const flow = (isSeq(parent) || isMap(parent)) && parent.flow === true;
    // A bare name turning into a mapping loses its anchor: `&a name: web1` is no YAML. Should an
    // alias name it, the check after the change refuses the edit.
    const start = typeof value === 'object' ? this.#start(node) : node.range[0];
    this.#splice(start, node.range[1], this.#format(value, flow, this.#column(start)));
  }

  /** Append VALUE to the sequence at PATH (created as a block list when missing). */
  append(path: Path, value: Value): void {
    this.#change(`add to ${path.join('.')}`, (data) => {
      const list = getIn(data, path);
      if (list === undefined) setIn(data, path, [value]);
      else if (Array.isArray(list)) list.push(value);
    }, () => this.#append(path, value));
  }

  #append(path: Path, value: Value): void {
    const seq = this.#list(path);
    if (seq === undefined) {
      if (path.length !== 1) throw new HactlError(`internal error: no list at ${path.join('.')}`);
      if (this.#map([]).flow) {
        this.#insertKey([], String(path[0]), () => `: [${this.#format(value, true, 0)}]`);
        return;
      }
      // No such list yet: start one at the end of the file, after its last comments.
      const sep = this.#text === '' || this.#text.endsWith('\n') ? '' : '\n';
      const at = this.#text.length;
      this.#splice(at, at, `${sep}${String(path[0])}:\n  - ${this.#format(value, false, 4)}\n`);
      return;
    }
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
    this.#change(`remove from ${path.join('.')}`, (data) => (getIn(data, path) as unknown[]).splice(index, 1), () => this.#remove(path, index));
  }

  #remove(path: Path, index: number): void {
    const seq = this.#list(path)!;
    const items = seq.items as Node[];
    const item = items[index]!;
    if (seq.flow) {
      const next = items[index + 1];
      const prev = items[index - 1];
      if (next) this.#splice(this.#start(item), this.#start(next), '');
      else if (prev) this.#splice(this.#end(prev), this.#end(item), '');
      else this.#splice(this.#start(item), this.#end(item), '');
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
  setKey(path: Path, key: string, value: Scalar): void {
    this.#change(`set ${[...path, key].join('.')}`, (data) => setIn(data, [...path, key], value), () => this.#setKey(path, key, value));
  }

  /** setKey, making the mapping at [PARENT] first when the file has none (`balancer: {trace: true}`). */
  setKeyIn(parent: string, key: string, value: Scalar): void {
    if (this.node([parent]) !== undefined) return this.setKey([parent], key, value);
    this.#change(
      `set ${parent}.${key}`,
      (data) => setIn(data, [parent], { [key]: value }),
      () => this.#insertKey([], parent, () => `: ${this.#format({ [key]: value }, true, 0)}`),
    );
  }

  #setKey(path: Path, key: string, value: Scalar): void {
    const existing = this.#map(path).get(key, true);
    if (isScalar(existing)) this.#replace([...path, key], value);
    else if (existing !== undefined) throw badInput(`${[...path, key].join('.')} in cluster.yaml is not a plain value (an alias or a collection); change it by hand`);
    else this.#insertKey(path, key, (flow, column) => `: ${this.#format(value, flow, column)}`);
  }

  #map(path: Path): YAMLMap {
    const map = this.node(path);
    if (!isMap(map)) throw badInput(`${path.join('.') || 'the file'} is not a mapping in cluster.yaml`);
    return map;
  }

  /** Add KEY as the last entry of the mapping at PATH; ENTRY gives what follows the key, for the map's style. */
  #insertKey(path: Path, key: string, entry: (flow: boolean, column: number) => string): void {
    const map = this.#map(path);
    const pairs = map.items as Pair<Node, Node | null>[];
    const last = pairs[pairs.length - 1];
    const lastEnd = last ? this.#end(last.value ?? last.key) : undefined;
    if (map.flow) {
      const at = lastEnd ?? map.range![0] + 1;
      this.#splice(at, at, `${last ? ', ' : ''}${key}${entry(true, 0)}`);
      return;
    }
    if (!last) throw new HactlError(`internal error: cannot add ${key} to an empty block mapping`);
    const column = this.#column(last.key.range![0]);
    const at = this.#lineEnd(lastEnd!);
    this.#splice(at, at, `\n${' '.repeat(column)}${key}${entry(false, column + 2)}`);
  }
}

function getIn(data: unknown, path: Path): unknown {
  return path.reduce<unknown>((at, key) => (at !== null && typeof at === 'object' ? (at as Record<string | number, unknown>)[key] : undefined), data);
}

function setIn(data: Record<string, unknown>, path: Path, value: unknown): void {
  const parent = getIn(data, path.slice(0, -1));
  if (parent !== null && typeof parent === 'object') (parent as Record<string | number, unknown>)[path.at(-1)!] = value;
}

/** A splice that left the text unparseable: the edit is undone and refused. */
class NotYaml extends Error {}

/** The document's data, or undefined when it no longer has any (an alias left without its anchor). */
function readBack(doc: Document): unknown {
  try {
    return doc.toJS();
  } catch {
    return undefined;
  }
}
