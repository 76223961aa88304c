import { tempDir } from '../support/temp.js';
import { copyFileSync, readFileSync, statSync, chmodSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { YamlSource } from '../../src/spec/yaml-source.js';
import { HactlError } from '../../src/errors.js';
import { editClusterFile, writeEdited } from '../../src/spec/edit-file.js';
import { addNode, removeNode, setBalancer, setNodeState, setNodeWeight, setSessionMode } from '../../src/spec/edit.js';
import { YamlSource } from '../../src/spec/yaml-source.js';

const FIXTURES = new URL('../fixtures/edit/', import.meta.url);
const fixture = (name: string) => new URL(name, FIXTURES).pathname;

/** Golden before/after: each case edits a copy of BEFORE and must give exactly AFTER. */
const cases: [string, string, (src: YamlSource) => void][] = [
  ['add-web', 'default', (d) => addNode(d, 'web', { name: 'web3', cookie: 'S3' })],
  ['add-db-short', 'default', (d) => addNode(d, 'db', { name: 'mysql3' })],
  ['remove-web', 'default', (d) => removeNode(d, 'web', 'web1')],
  ['drain-web', 'default', (d) => setNodeState(d, 'web2', 'drain')],
  ['session-mode', 'default', (d) => setSessionMode(d, 'db')],
  ['weight', 'default', (d) => setNodeWeight(d, 'web1', 50)],
  ['short-add-web', 'short', (d) => addNode(d, 'web', { name: 'web3' })],
  ['short-add-web-mapping', 'short', (d) => addNode(d, 'web', { name: 'web3', port: 8003 })],
  ['short-maint', 'short', (d) => setNodeState(d, 'web2', 'maint')],
  ['short-remove-db', 'short', (d) => removeNode(d, 'db', 'mysql2')],
  ['short-session-mode', 'short', (d) => setSessionMode(d, 'sticky')],
  ['short-remove-web', 'short', (d) => removeNode(d, 'web', 'web1')],
  ['blockshort-drain', 'blockshort', (d) => setNodeState(d, 'web1', 'drain')],
  ['blockshort-add-db', 'blockshort', (d) => addNode(d, 'db', { name: 'mysql1' })],
  ['blockshort-session-mode', 'blockshort', (d) => setSessionMode(d, 'none')],
  ['blockshort-ready-is-default', 'blockshort', (d) => setNodeState(d, 'web2', 'ready')],
  // The last item of a block list leaves `db: []`, not `db:` (null).
  ['blockdb-remove-last', 'blockdb', (d) => removeNode(d, 'db', 'mysql1')],
];

function copyOf(name: string): string {
  const dir = tempDir('hactl-edit-');
  const file = join(dir, 'cluster.yaml');
  copyFileSync(fixture(`${name}.before.yaml`), file);
  return file;
}

describe('editing cluster.yaml keeps the user\'s file', () => {
  it.each(cases)('%s', (name, before, edit) => {
    const file = copyOf(before);
    editClusterFile(file, edit);
    const golden = fixture(`${name}.after.yaml`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, readFileSync(file, 'utf8'));
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(golden, 'utf8'));
  });

  it('leaves the file untouched when the result would be invalid', () => {
    const file = copyOf('default');
    const before = readFileSync(file, 'utf8');
    let error: unknown;
    try {
      editClusterFile(file, (d) => addNode(d, 'web', { name: 'web3', cookie: 'S1' }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HactlError);
    expect((error as HactlError).exitCode).toBe(2);
    expect((error as HactlError).details.join('\n')).toMatch(/web\[2\]\.cookie: cookie "S1" is already used by web1/);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('names a line break or tab in a new value as bad input, in block and flow files alike', () => {
    for (const [before, tier, node, message] of [
      ['default', 'db', { name: 'mysql3', host: 'a\nb' }, /^host: "a\\nb" is not valid \(it contains a line break\)/],
      // web: [web1, web2] in flow style: a plain multi-line value there was not even YAML.
      ['short', 'web', { name: 'web3', host: 'a\nb' }, /^host: "a\\nb" is not valid \(it contains a line break\)/],
      ['short', 'web', { name: 'web3', cookie: 'S\t3' }, /^cookie: "S\\t3" is not valid/],
    ] as const) {
      const file = copyOf(before);
      const text = readFileSync(file, 'utf8');
      let error: unknown;
      try {
        editClusterFile(file, (d) => (tier === 'db' ? addNode(d, 'db', node) : addNode(d, 'web', node)));
      } catch (e) {
        error = e;
      }
      expect((error as HactlError).exitCode, String(error)).toBe(2);
      expect((error as HactlError).details.join('\n')).toMatch(message);
      expect(readFileSync(file, 'utf8')).toBe(text);
    }
  });

  it('refuses to touch a node that does not exist', () => {
    const file = copyOf('short');
    expect(() => editClusterFile(file, (d) => removeNode(d, 'web', 'web9'))).toThrow(/no web node named "web9"/);
  });

  it('keeps the file mode and writes nothing on a dry run', () => {
    const file = copyOf('short');
    chmodSync(file, 0o640);
    const before = readFileSync(file, 'utf8');
    const dry = editClusterFile(file, (d) => setSessionMode(d, 'db'), { dryRun: true });
    expect(dry.changed).toBe(true);
    expect(dry.cluster.sessionMode).toBe('db');
    expect(readFileSync(file, 'utf8')).toBe(before);
    editClusterFile(file, (d) => setSessionMode(d, 'db'));
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });

  it('sets balancer.engine and balancer.trace, adding a balancer: mapping where the file has none, comments kept', () => {
    const edit = (text: string, f: (src: YamlSource) => void) => {
      const src = new YamlSource(text);
      f(src);
      return src.text;
    };
    expect(edit('name: x # mine\nweb: [web1]\n', (s) => setBalancer(s, 'engine', 'apache'))).toBe('name: x # mine\nweb: [web1]\nbalancer: { engine: apache }\n');
    expect(edit('balancer: {engine: apache} # mine\nweb: [web1]\n', (s) => setBalancer(s, 'trace', true))).toBe('balancer: {engine: apache, trace: true} # mine\nweb: [web1]\n');
    expect(edit('balancer:\n  engine: apache # mine\n  trace: true\nweb: [web1]\n', (s) => setBalancer(s, 'trace', false))).toBe('balancer:\n  engine: apache # mine\n  trace: false\nweb: [web1]\n');
  });
});

describe('writing an edit checked earlier (a dry run, then the lock)', () => {
  const addWeb3 = (src: YamlSource) => addNode(src, 'web', { name: 'web3' });

  it('writes the checked text when the file still reads as it did', () => {
    const file = join(tempDir('hactl-edit-'), 'cluster.yaml');
    writeFileSync(file, 'web: [web1, web2]\n');
    const edited = editClusterFile(file, addWeb3, { dryRun: true });
    expect(readFileSync(file, 'utf8')).toBe('web: [web1, web2]\n');
    writeEdited(file, edited, addWeb3);
    expect(readFileSync(file, 'utf8')).toBe(edited.text);
    expect(edited.previous.web.map((n) => n.name)).toEqual(['web1', 'web2']);
  });

  it('makes the edit again on a file changed by hand meanwhile: the hand edit is kept', () => {
    const file = join(tempDir('hactl-edit-'), 'cluster.yaml');
    writeFileSync(file, 'web: [web1, web2]\n');
    const edited = editClusterFile(file, addWeb3, { dryRun: true });
    writeFileSync(file, '# ours\nweb: [web1, web2]\nsession_mode: none\n');
    writeEdited(file, edited, addWeb3);
    expect(readFileSync(file, 'utf8')).toBe('# ours\nweb: [web1, web2, web3]\nsession_mode: none\n');
  });
});
