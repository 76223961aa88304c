import { closeSync, fstatSync, openSync, readSync, rmSync } from 'node:fs';
import { failpoint } from '../util/failpoint.js';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { HactlError } from '../errors.js';
import type { Command, Runner } from '../util/runner.js';

/**
 * The commented GTID line mariadb-dump --master-data=2 writes near the end
 * of the dump: where the snapshot stands in every replication domain of the
 * donor's binlog.
 */
export function dumpGtidPosition(dumpTail: string): string {
  const m = /^-- SET GLOBAL gtid_slave_pos\s*=\s*'([0-9,\-\s]*)';/m.exec(dumpTail);
  if (!m) throw new Error('the dump carries no GTID position (mariadb-dump --master-data=2)');
  return m[1]!.replace(/\s/g, '');
}

/** GTID positions "1-1-40,2-2-17" as domain → sequence number. */
export function gtidByDomain(pos: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const part of pos.split(',').filter((p) => p.trim() !== '')) {
    const [domain, , seq] = part.trim().split('-').map(Number);
    if (domain !== undefined && seq !== undefined && Number.isFinite(domain) && Number.isFinite(seq)) out.set(domain, seq);
  }
  return out;
}

/** True when POS has reached TARGET in every domain TARGET names. */
export function gtidReached(pos: string, target: string): boolean {
  const have = gtidByDomain(pos);
  return [...gtidByDomain(target)].every(([d, seq]) => (have.get(d) ?? -1) >= seq);
}

export interface CloneCommands {
  /** mariadb-dump of the donor, consistent snapshot with its GTID position. */
  dump: Command;
  /** mariadb client on the new node; must not write what it loads to the binlog. */
  load: Command;
}

/**
 * Make a new, empty node a copy of the donor as of one GTID position: a
 * consistent dump (one transaction, no global lock held for long), loaded
 * without binary logging (it must not replicate back to the others), and
 * the position recorded as gtid_slave_pos so replication continues from
 * exactly there, missing nothing and applying nothing twice.
 */
export async function cloneFromDonor(runner: Runner, commands: CloneCommands, target: Connection, dumpFile: string): Promise<string> {
  try {
    const dumped = await runner.run(commands.dump, { stdoutFile: dumpFile, timeoutMs: 600_000 });
    if (dumped.exitCode !== 0) throw new HactlError('mariadb-dump of the donor failed', 1, dumped.stderr.trim().split('\n').slice(-8));
    failpoint('clone');
    const position = dumpGtidPosition(fileTail(dumpFile, 64 * 1024));
    const loaded = await runner.run(commands.load, { stdinFile: dumpFile, timeoutMs: 600_000 });
    if (loaded.exitCode !== 0) throw new HactlError('loading the dump into the new node failed', 1, loaded.stderr.trim().split('\n').slice(-8));
    await target.query('SET GLOBAL gtid_slave_pos = ?', [position]);
    return position;
  } finally {
    rmSync(dumpFile, { force: true });
  }
}

function fileTail(file: string, bytes: number): string {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(bytes, size));
    readSync(fd, buf, 0, buf.length, size - buf.length);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

interface PosRow extends RowDataPacket {
  pos: string;
}

export async function gtidVariable(conn: Connection, name: 'gtid_binlog_pos' | 'gtid_slave_pos' | 'gtid_current_pos'): Promise<string> {
  const [[row]] = await conn.query<PosRow[]>(`SELECT @@${name} AS pos`);
  return String(row?.pos ?? '');
}
