import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readState } from '../../src/drivers/local/state.js';
import { isObject, readRecords } from '../../src/util/json-records.js';
import { tempDir } from '../support/temp.js';

const hasHash = (v: unknown): v is { hash: string } => isObject(v) && typeof v.hash === 'string';

function file(content: string): string {
  const path = join(tempDir('hactl-records-'), 'state.json');
  writeFileSync(path, content);
  return path;
}

describe('readRecords', () => {
  it.each(['', '{"web1": {"ha', 'null', '[]', '"text"', '42'])('reads %j as no records, not a crash', (content) => {
    expect(readRecords(file(content), hasHash)).toEqual({});
  });

  it('reads a missing file as no records', () => {
    expect(readRecords(join(tempDir('hactl-records-'), 'none.json'), hasHash)).toEqual({});
  });

  it('keeps the valid records and drops the others', () => {
    const records = readRecords(file('{"web1": {"hash": "a"}, "web2": 5, "web3": null, "web4": {"hash": 1}}'), hasHash);
    expect(records).toEqual({ web1: { hash: 'a' } });
  });

  it("the local runtime's processes.json: a record without a usable pid is dropped (pid 1 and 0 would signal every process)", () => {
    const dir = tempDir('hactl-records-');
    const run = join(dir, 'run');
    const record = { hash: 'h', startedAt: '2026-12-02T00:00:00Z' };
    mkdirSync(run);
    writeFileSync(join(run, 'processes.json'), JSON.stringify({ web1: { ...record, pid: 4242 }, web2: { ...record, pid: 0 }, web3: { ...record, pid: '12' }, web4: { ...record, pid: 1 } }));
    expect(Object.keys(readState(dir))).toEqual(['web1']);
  });
});
