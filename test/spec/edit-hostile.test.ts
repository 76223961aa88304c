import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { HactlError } from '../../src/errors.js';
import { editClusterFile } from '../../src/spec/edit-file.js';
import { addNode, removeNode, setNodeState, setNodeWeight, setSessionMode } from '../../src/spec/edit.js';
import type { YamlSource } from '../../src/spec/yaml-source.js';
import { tempDir } from '../support/temp.js';

/**
 * The YAML editor against hostile input: random names and values added to
 * files written in every style hactl must keep (block and flow lists, block
 * and flow maps, plain and quoted scalars, anchors and aliases, comments,
 * a whole file in flow style). Each edit must give exactly the one change
 * asked for, read back from the file written, or be refused as bad input
 * (exit 2) with the file untouched.
 */

const STYLES: Record<string, string> = {
  'block names': '# the lab\nweb:\n  - web1   # first\n  - web2\ndb:\n  - mysql1\n  - mysql2\n',
  'flow names': 'web: [web1, web2]   # kept\ndb: [mysql1, mysql2]\n',
  'block maps': 'web:\n  - name: web1\n    port: 8000\n  - name: web2\ndb:\n  - name: mysql1\n  - name: mysql2\n    id: 2\n',
  'flow maps in a flow list': 'web: [{name: web1}, {name: "web2", cookie: \'S2\'}]\ndb: [{name: mysql1}, {name: mysql2}]\n',
  'flow maps in a block list': 'web:\n  - {name: web1, weight: 10}\n  - {name: web2}\ndb:\n  - {name: mysql1}\n',
  'quoted names': 'web: ["web1", \'web2\']\ndb:\n  - "mysql1"\n  - \'mysql2\'\n',
  'multi-line flow list': 'web: [\n  web1,   # one\n  web2    # two\n]\ndb: [mysql1]\n',
  anchors: 'defaults:\n  web:\n    port: &port 8000\nweb:\n  - &first web1\n  - name: web2\n    port: *port\ndb: []\n',
  'anchored node': 'web:\n  - &w {name: web1, weight: 7}\n  - name: web2\ndb: [mysql1]\n',
  'no db list': 'web:\n  - web1\n  - web2\n# no DB nodes yet\n',
  'flow file': '{web: [web1, web2], db: [mysql1, mysql2]}\n',
  'flow file without db': '{web: [web1, web2], session_mode: none}\n',
  'no final newline': 'web: [web1, web2]\ndb:\n  - mysql1',
};

/** A small seeded generator: the same cases on every run, so a failure can be replayed. */
function random(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  return { next, int, pick };
}

// What YAML reads as something else when plain, what breaks a flow list or a
// line, what a config or shell would take as syntax, and plain good names.
const HOSTILE = [',', '[', ']', '{', '}', ':', ': ', ' #', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`', ' ', '\t', '\n', '\r\n', '\0', '\\', '- ', '?', '---', '...', 'é', '\u2028', '$(', ';'];
const LOOKALIKES = ['123', '1e3', '0x1f', '0o17', 'true', 'false', 'null', 'yes', 'no', 'on', 'off', 'nan', 'inf', '~', '-1', '.5', '007'];
const NAME_OK = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function hostileString(r: ReturnType<typeof random>): string {
  switch (r.int(4)) {
    case 0:
      return r.pick(LOOKALIKES);
    case 1:
      return `web${r.int(90) + 3}`;
    default: {
      let out = r.next() < 0.5 ? `w${r.int(9)}` : '';
      for (let i = r.int(3) + 1; i > 0; i--) out += r.pick(HOSTILE) + (r.next() < 0.5 ? `x${r.int(9)}` : '');
      return out;
    }
  }
}

function hostileValue(r: ReturnType<typeof random>, field: string): string | number {
  if (field === 'port') return r.pick([8001, 8002, 9001, 65535, 0, 70000, -1, 1.5]);
  if (field === 'weight') return r.pick([0, 1, 50, 256, 257, -3]);
  if (field === 'host') return r.pick(['127.0.1.9', '::1', 'fe80::1', '2001:db8::7', 'node-9.example', '1.5', 'a\nb', 'h,x', 'h]', 'fe80::1%lo', '"q"', hostileString(r)]);
  return r.next() < 0.5 ? r.pick(['S9', 'S10', '123', 'true', '-1', '_x', 'a-b']) : hostileString(r);
}

function dataOf(text: string): Record<string, unknown> {
  return parse(text) as Record<string, unknown>;
}

/** Each node as {name, …}, whatever style the file gives it. */
function nodes(data: Record<string, unknown>, tier: 'web' | 'db'): Record<string, unknown>[] {
  const list = (data[tier] ?? []) as unknown[];
  return list.map((it) => (typeof it === 'string' ? { name: it } : (it as Record<string, unknown>)));
}

function attempt(file: string, edit: (src: YamlSource) => void): { ok: true } | { ok: false; error: unknown } {
  try {
    editClusterFile(file, edit);
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

describe('the YAML editor against hostile names and values, in every style', () => {
  it('adds exactly the one node asked for, or refuses with exit 2 and writes nothing', () => {
    const dir = tempDir('hactl-hostile-');
    const r = random(20261202);
    const seen = { added: 0, refused: 0 };
    for (let round = 0; round < 600; round++) {
      const [style, before] = r.pick(Object.entries(STYLES));
      const file = join(dir, `add-${round}.yaml`);
      writeFileSync(file, before);
      const tier = r.next() < 0.7 ? 'web' : 'db';
      const node: Record<string, string | number> = { name: r.next() < 0.15 ? r.pick(['web9', 'mysql7', 'n1']) : hostileString(r) };
      for (const field of tier === 'web' ? ['host', 'port', 'cookie', 'weight'] : ['host', 'port']) if (r.next() < 0.3) node[field] = hostileValue(r, field);
      const result = attempt(file, (src) => (tier === 'web' ? addNode(src, 'web', node as { name: string }) : addNode(src, 'db', node as { name: string })));
      const after = readFileSync(file, 'utf8');
      const context = `${style} + ${tier} ${JSON.stringify(node)}\n${after}`;
      if (!result.ok) {
        expect(result.error, context).toBeInstanceOf(HactlError);
        expect((result.error as HactlError).exitCode, `${context}\n${String(result.error)}`).toBe(2);
        expect(after, context).toBe(before);
        seen.refused++;
        continue;
      }
      expect(NAME_OK.test(String(node.name)) && !String(node.name).startsWith('lb-'), `an invalid name was accepted: ${context}`).toBe(true);
      const old = dataOf(before);
      const now = dataOf(after);
      const oldNodes = nodes(old, tier);
      const newNodes = nodes(now, tier);
      expect(newNodes.length, context).toBe(oldNodes.length + 1);
      expect(newNodes.slice(0, -1), context).toEqual(oldNodes);
      expect(newNodes.at(-1), context).toEqual(node);
      const other = tier === 'web' ? 'db' : 'web';
      expect(nodes(now, other), context).toEqual(nodes(old, other));
      expect({ ...now, web: undefined, db: undefined }, context).toEqual({ ...old, web: undefined, db: undefined });
      seen.added++;
    }
    // Both outcomes really happened: the generator is not all good or all bad.
    expect(seen.added).toBeGreaterThan(50);
    expect(seen.refused).toBeGreaterThan(50);
  });

  it('changes, removes and switches exactly what is asked in every style', () => {
    const dir = tempDir('hactl-hostile-');
    const r = random(7);
    for (let round = 0; round < 300; round++) {
      const [style, before] = r.pick(Object.entries(STYLES));
      const file = join(dir, `change-${round}.yaml`);
      writeFileSync(file, before);
      const old = dataOf(before);
      const web = nodes(old, 'web');
      const target = r.pick(web).name as string;
      const op = r.int(4);
      const result = attempt(file, (src) => {
        if (op === 0) setNodeWeight(src, target, 42);
        else if (op === 1) setNodeState(src, target, 'drain');
        else if (op === 2) removeNode(src, 'web', target);
        else setSessionMode(src, 'db');
      });
      const after = readFileSync(file, 'utf8');
      const context = `${style}: op ${op} on ${target}\n${after}`;
      if (!result.ok) {
        expect((result.error as HactlError).exitCode, `${context}\n${String(result.error)}`).toBe(2);
        expect(after, context).toBe(before);
        continue;
      }
      const now = dataOf(after);
      const expected = web.map((n) => (n.name === target ? { ...n, ...(op === 0 ? { weight: 42 } : op === 1 ? { state: 'drain' } : {}) } : n)).filter((n) => op !== 2 || n.name !== target);
      expect(nodes(now, 'web'), context).toEqual(expected);
      expect(nodes(now, 'db'), context).toEqual(nodes(old, 'db'));
      expect(now.session_mode, context).toBe(op === 3 ? 'db' : old.session_mode);
    }
  });

  it('refuses to edit through an alias, and never changes what an anchor names elsewhere', () => {
    const file = join(tempDir('hactl-hostile-'), 'alias.yaml');
    const text = 'defaults:\n  web:\n    port: &p 8000\nweb:\n  - name: web1\n    port: *p\n  - name: web2\n    weight: &w 5\n  - name: web3\n    weight: *w\n';
    writeFileSync(file, text);
    const result = attempt(file, (src) => setNodeWeight(src, 'web2', 9));
    expect(result.ok).toBe(false);
    expect((result as { error: HactlError }).error.exitCode).toBe(2);
    expect(String((result as { error: HactlError }).error.message)).toMatch(/anchor or alias/);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});
