import { describe, expect, it } from 'vitest';
import { printStatus, replicationDetails, statusHeader, watchHeader } from '../../src/cli/commands/status.js';
import { fitColumns, visibleLength, wrap } from '../../src/cli/fit.js';
import { createOutput } from '../../src/cli/output.js';
import type { ClusterStatus, DbNodeStatus, ProcessIds, WebNodeStatus } from '../../src/status/model.js';
import { killCommand, processRows } from '../../src/status/processes.js';

// What MariaDB 10.11 said here when a row written on mysql2 alone came from mysql1 too.
const MARIADB_ERROR =
  "Could not execute Write_rows_v1 event on table hactl.t; Duplicate entry '1' for key 'PRIMARY', Error_code: 1062; handler error HA_ERR_FOUND_DUPP_KEY; the event's master log mysql1-bin.000002, end_log_pos 1517, Gtid 1-1-12, Internal MariaDB error code: 1062";

const ids: ProcessIds = { pid: 4242, pgid: 4242, container: null, started_at: '2026-12-02T17:00:00.000Z' };

const web = (name: string, over: Partial<WebNodeStatus> = {}): WebNodeStatus => ({
  type: 'web',
  name,
  address: '127.0.73.1',
  port: 18000,
  status: 'UP',
  flags: null,
  process: 'running',
  check: 'L7OK 200 in 1 ms',
  since_change_s: 8,
  sessions: 0,
  weight: 100,
  ...ids,
  ...over,
});

const db = (name: string, over: Partial<DbNodeStatus> = {}): DbNodeStatus => ({
  type: 'db',
  name,
  address: '127.0.83.1',
  port: 3306,
  role: 'active',
  status: 'UP',
  reason: null,
  agent: { answer: 'up', reason: '', writer: 'mysql1', read_only: false, age_s: 0 },
  read_only: (over.role ?? 'active') === 'backup',
  process: 'running',
  check: 'L7OK in 1 ms',
  gtid_current_pos: '1-1-12',
  replication: [{ from: 'mysql2', io_running: 'Yes', sql_running: 'Yes', seconds_behind: 0, gtid_io_pos: '2-2-3', last_error: '' }],
  replication_summary: 'Synced',
  ...ids,
  ...over,
});

const broken: ClusterStatus = {
  cluster: 'test63',
  runtime: 'local',
  engine: 'haproxy',
  health: 'degraded',
  health_reasons: ['web1 is DOWN 1/2', 'mysql2: replication Broken'],
  endpoints: { http: 'http://127.0.63.1:18080/', stats: 'http://127.0.63.1:18404/', db: '127.0.63.1:13307' },
  tls: null,
  stores: [],
  nodes: [
    web('web1', { status: 'DOWN 1/2', process: 'stopped', check: 'L4CON in 0 ms', pid: null, pgid: null, started_at: null }),
    web('web2'),
    db('mysql1'),
    db('mysql2', {
      role: 'backup',
      replication: [{ from: 'mysql1', io_running: 'Yes', sql_running: 'No', seconds_behind: null, gtid_io_pos: '1-1-12', last_error: MARIADB_ERROR }],
      replication_summary: `Broken: ${MARIADB_ERROR}`,
    }),
  ],
  balancers: [
    { type: 'lb', name: 'lb-web', process: 'running', ...ids },
    { type: 'lb', name: 'lb-db', process: 'running', ...ids },
  ],
};

/** A terminal of WIDTH columns that keeps what is written to it. */
function terminal(width: number) {
  let text = '';
  const stream = { isTTY: true, columns: width, write: (s: string) => ((text += s), true) } as unknown as typeof process.stdout;
  return { stream, text: () => text };
}

async function printed(status: ClusterStatus, width: number): Promise<string[]> {
  const term = terminal(width);
  printStatus(await createOutput(false, term.stream), status);
  return term.text().trimEnd().split('\n');
}

describe('status fits the terminal', () => {
  it('keeps every line of a broken cluster within 100 columns, colours and all', async () => {
    const lines = await printed(broken, 100);
    expect(Math.max(...lines.map(visibleLength))).toBeLessThanOrEqual(100);
    const row = lines.find((l) => l.includes('mysql2') && l.includes('Broken'));
    expect(row, lines.join('\n')).toMatch(/Broken: Could not[^│]*…/);
  });

  it('gives MariaDB\'s whole error under the table, wrapped to the width', async () => {
    const lines = await printed(broken, 100);
    const start = lines.findIndex((l) => l.startsWith('mysql2 replicating from mysql1: IO Yes, SQL No: Could not'));
    expect(start, lines.join('\n')).toBeGreaterThan(0);
    const detail = [lines[start]!, ...lines.slice(start + 1).filter((l) => l.startsWith('  ')).map((l) => l.trim())].join(' ');
    expect(detail).toContain(MARIADB_ERROR);
    expect(replicationDetails(broken)).toEqual([`mysql2 replicating from mysql1: IO Yes, SQL No: ${MARIADB_ERROR}`]);
  });

  it('says when a node\'s process is gone, whatever its balancer still thinks', async () => {
    const lines = await printed(broken, 100);
    const at = lines.findIndex((l) => l.includes('web1'));
    expect(lines[at]).toContain('DOWN 1/2');
    expect(lines[at + 1]).toContain('process stopped');
    expect(lines.filter((l) => l.includes('process stopped'))).toHaveLength(1);
  });

  it('shows a healthy cluster whole, with no detail lines', async () => {
    const healthy: ClusterStatus = { ...broken, health: 'healthy', nodes: [web('web1'), web('web2'), db('mysql1'), db('mysql2', { role: 'backup' })] };
    const lines = await printed(healthy, 200);
    expect(lines.join('\n')).not.toContain('…');
    expect(lines.join('\n')).not.toContain('replicating from');
    expect(lines[0]!.replace(/\x1b\[[0-9;]*m/g, '')).toBe('cluster test63 (local): healthy    site http://127.0.63.1:18080/  stats http://127.0.63.1:18404/  DB 127.0.63.1:13307');
  });

  it('puts the endpoints on a line of their own when the cluster line does not fit', () => {
    expect(statusHeader(broken, 'degraded', 80)).toEqual(['cluster test63 (local): degraded', 'site http://127.0.63.1:18080/  stats http://127.0.63.1:18404/  DB 127.0.63.1:13307']);
    expect(statusHeader(broken, 'degraded', undefined)).toHaveLength(1);
  });
});

describe('fitting columns', () => {
  const cells = [
    ['db', 'replication', 'links'],
    ['mysql1', 'x'.repeat(60), 'mysql2: Yes/Yes, 0 s'],
  ];

  it('leaves a table that fits as it is', () => {
    expect(fitColumns(cells, 200, { shrink: [1] })).toEqual([8, 62, 22]);
    expect(fitColumns(cells, undefined, { shrink: [1] })).toEqual([8, 62, 22]);
  });

  it('takes the width from the shrinkable columns in order, to the last character', () => {
    const widths = fitColumns(cells, 60, { shrink: [1, 2] });
    expect(widths.reduce((a, b) => a + b) + widths.length + 1).toBe(60);
    expect(widths).toEqual([8, 26, 22]);
    expect(fitColumns(cells, 40, { shrink: [1, 2] })).toEqual([8, 13, 15]);
  });

  it('never cuts a column below its header', () => {
    expect(fitColumns(cells, 10, { shrink: [1, 2] })).toEqual([8, 13, 10]);
  });

  it('caps a shrinkable column whatever the width', () => {
    expect(fitColumns(cells, undefined, { shrink: [1], cap: 40 })).toEqual([8, 42, 22]);
  });
});

describe('wrapping a detail line', () => {
  it('breaks at spaces, indents what follows, keeps every word', () => {
    const lines = wrap(MARIADB_ERROR, 60);
    expect(Math.max(...lines.map(visibleLength))).toBeLessThanOrEqual(60);
    expect(lines.slice(1).every((l) => l.startsWith('  '))).toBe(true);
    expect(lines.map((l) => l.trim()).join(' ')).toBe(MARIADB_ERROR);
  });

  it('cuts a word longer than a line', () => {
    expect(wrap('a'.repeat(25), 10)).toEqual(['a'.repeat(10), `  ${'a'.repeat(10)}`, '  aaaaa']);
  });
});

describe('status --watch', () => {
  it('tells when the reading was taken, with a mark that turns at every refresh', () => {
    const at = new Date(2026, 11, 2, 9, 5, 7);
    expect(watchHeader(at, 1, 2)).toBe('[/] refresh 1 at 09:05:07, every 2 s (Ctrl-C to stop)');
    const marks = [1, 2, 3, 4].map((n) => watchHeader(at, n, 2).slice(0, 3));
    expect(new Set(marks).size).toBe(4);
  });
});

describe('hactl ps rows', () => {
  it('kills a local node by its whole process group, a compose node by docker kill', () => {
    expect(killCommand('local', { name: 'web1', kind: 'web', running: true, pid: 4242, pgid: 4242 })).toBe('kill -9 -4242');
    expect(killCommand('compose', { name: 'web1', kind: 'web', running: true, container: '3f2a1b0c9d8e' })).toBe('docker kill web1');
    expect(killCommand('local', { name: 'web1', kind: 'web', running: false })).toBeNull();
  });

  it('carries the ids a script needs', () => {
    expect(processRows('local', [{ name: 'mysql1', kind: 'db', running: true, pid: 7, pgid: 7, startedAt: '2026-12-02T17:00:00.000Z' }])).toEqual([
      { name: 'mysql1', kind: 'db', runtime: 'local', running: true, pid: 7, pgid: 7, container: null, started_at: '2026-12-02T17:00:00.000Z', kill: 'kill -9 -7' },
    ]);
  });
});
