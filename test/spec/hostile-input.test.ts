import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HactlError } from '../../src/errors.js';
import { checkClusterText } from '../../src/spec/check.js';
import { loadClusterFile } from '../../src/spec/load.js';
import { MAX_CLUSTER_FILE_BYTES } from '../../src/spec/read.js';
import { formatProblem } from '../../src/spec/problem.js';
import { tempDir } from '../support/temp.js';

/** Issue 11: what a review with hostile input got past validation. */

function problems(text: string): string[] {
  return checkClusterText(text).problems.map((p) => formatProblem('c.yaml', p));
}

function refusal(fn: () => unknown): HactlError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HactlError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('names, accounts and schemas hactl keeps for itself', () => {
  it.each([
    ['hactl_repl', 'replication'],
    ['hactl_check', 'the checks'],
    ['root', 'root'],
    ['ROOT', 'root in capitals'],
    ['mysql', "Debian's second administrator"],
  ])('refuses database.user %s (%s)', (user) => {
    expect(problems(`database: {user: ${user}}\nweb: [web1]\n`)).toEqual([
      expect.stringMatching(new RegExp(`^c\\.yaml:1:18 database\\.user: "${user}" is an account of hactl's or of the server's own`)),
    ]);
  });

  it.each(['mysql', 'information_schema', 'performance_schema', 'sys', 'MySQL'])('refuses database.name %s', (name) => {
    expect(problems(`database:\n  name: ${name}\nweb: [web1]\n`)).toEqual([expect.stringMatching(new RegExp(`^c\\.yaml:2:9 database\\.name: "${name}" is one of the server's own schemas`))]);
  });

  it('refuses node names that are balancers or hactl folders, in either tier', () => {
    expect(problems('web: [web1, lb-web]\ndb: [lb-db, run, lb-redis]\n')).toEqual([
      'c.yaml:1:13 web[1].name: "lb-web" is not available: names starting with "lb-" are kept for hactl\'s balancers (lb-web, lb-db)',
      'c.yaml:2:6 db[0].name: "lb-db" is not available: names starting with "lb-" are kept for hactl\'s balancers (lb-web, lb-db)',
      'c.yaml:2:13 db[1].name: "run" is not available: "run" is the folder of the nodes\' sockets',
      'c.yaml:2:18 db[2].name: "lb-redis" is not available: names starting with "lb-" are kept for hactl\'s balancers (lb-web, lb-db)',
    ]);
  });
});

describe('address clashes, compared as addresses', () => {
  it('finds two spellings of ::1 on one port', () => {
    expect(problems('web:\n  - {name: web1, host: "::1", port: 8001}\n  - {name: web2, host: "0:0:0:0:0:0:0:1", port: 8001}\n')).toEqual([
      'c.yaml:3:49 web[1].port: [0:0:0:0:0:0:0:1]:8001 is already used by web1',
    ]);
  });

  it('finds an IPv4-mapped address against its IPv4 one', () => {
    expect(problems('web:\n  - {name: web1, host: 127.0.1.1}\n  - {name: web2, host: "::ffff:127.0.1.1"}\n')).toEqual([
      'c.yaml:3:5 web[1].port: [::ffff:127.0.1.1]:8000 is already used by web1',
    ]);
  });

  it('takes listen: localhost as the loopback addresses', () => {
    expect(problems('listen: localhost\nweb: [{name: web1, host: 127.0.0.1, port: 8080}]\n')).toEqual([
      'c.yaml:2:43 web[0].port: 127.0.0.1:8080 is already used by ports.http',
    ]);
    expect(problems('listen: localhost\nweb: [{name: web1, host: "::1", port: 8404}]\n')).toEqual(['c.yaml:2:39 web[0].port: [::1]:8404 is already used by ports.stats']);
  });

  it('takes a wildcard listen in any spelling as every address', () => {
    expect(problems('listen: "0:0:0:0:0:0:0:0"\nweb: [{name: web1, host: 127.0.1.1, port: 3307}]\n')).toEqual([
      'c.yaml:2:43 web[0].port: 127.0.1.1:3307 is already used by ports.db',
    ]);
  });

  it("finds a node on lb-web's peers listener, which binds 127.0.0.1 when listen is not loopback", () => {
    expect(problems('listen: 0.0.0.0\nweb: [web1, {name: web2, host: 127.0.0.1, port: 8405}]\n')).toEqual([
      'c.yaml:2:49 web[1].port: 127.0.0.1:8405 is already used by ports.peers',
    ]);
    expect(problems('listen: 10.1.2.3\nweb: [web1, {name: web2, host: 127.0.0.1, port: 8405}]\n')).toEqual([
      'c.yaml:2:49 web[1].port: 127.0.0.1:8405 is already used by ports.peers',
    ]);
  });

  it('refuses IPv6 scope ids, which no config hactl writes takes', () => {
    expect(problems('web: [{name: web1, host: "fe80::1%lo"}]\n')).toEqual([
      'c.yaml:1:26 web[0].host: "fe80::1%lo" is not valid (IPv6 scope ids such as %lo are not supported): expected an IP address or a hostname',
    ]);
    expect(problems('listen: "fe80::1%eth0"\nweb: [web1]\n')[0]).toMatch(/listen: "fe80::1%eth0" is not valid \(IPv6 scope ids/);
  });
});

describe('YAML that is not data, and files that are not cluster files', () => {
  it('names an alias without its anchor, with its line', () => {
    expect(problems('web: [web1]\ndb: [*nope]\n')).toEqual(['c.yaml:2:6 (file): YAML: alias *nope has no anchor &nope before it']);
  });

  it('refuses aliases that expand into a huge document (billion laughs)', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (const [name, prev] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e']]) bomb.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    bomb.push('web: [*f]');
    const found = problems(`${bomb.join('\n')}\n`);
    expect(found).toEqual([expect.stringMatching(/^c\.yaml:2:8 \(file\): YAML: its aliases expand to more than 100 copies/)]);
  });

  it('still reads a few anchors and aliases', () => {
    expect(problems('defaults: {web: {port: &p 8001}}\nweb: [{name: web1, port: *p}, web2]\n')).toEqual([]);
  });

  it('gives an empty file a line number', () => {
    expect(problems('')).toEqual(['c.yaml:1:1 (file): the file is empty: it needs at least a web: list (hactl init writes a starter)']);
    expect(problems('# nothing yet\n')[0]).toMatch(/^c\.yaml:1:1 /);
  });

  it('refuses a FIFO without waiting for a writer, a device, a folder and an oversized file', () => {
    const dir = tempDir('hactl-files-');
    const fifo = join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(refusal(() => loadClusterFile(fifo))).toMatchObject({ exitCode: 2, message: expect.stringMatching(/is not a regular file/) });
    expect(refusal(() => loadClusterFile('/dev/zero'))).toMatchObject({ exitCode: 2, message: expect.stringMatching(/^\/dev\/zero is not a regular file/) });
    mkdirSync(join(dir, 'folder'));
    expect(refusal(() => loadClusterFile(join(dir, 'folder')))).toMatchObject({ exitCode: 2, message: expect.stringMatching(/is a folder/) });
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `web: [web1]\n${'#'.repeat(MAX_CLUSTER_FILE_BYTES)}\n`);
    expect(refusal(() => loadClusterFile(big))).toMatchObject({ exitCode: 2, message: expect.stringMatching(/may be at most 1048576 bytes/) });
  });
});
