import { describe, expect, it } from 'vitest';
import { conditionOf, type BalancerStatus, type DbNodeStatus, type NodeStatusWord, type WebNodeStatus } from '../../src/status/model.js';
import { checkText, overallHealth, serverStatus, summarizeReplication } from '../../src/status/summarize.js';

const link = (over: object = {}) => ({ from: 'mysql2', io_running: 'Yes', sql_running: 'Yes', seconds_behind: 0, gtid_io_pos: '2-2-5', last_error: '', ...over });
const web = (status: string) => ({ type: 'web', name: 'w', status }) as WebNodeStatus;
const db = (status: string, replication_summary = 'Synced') => ({ type: 'db', name: 'd', status, replication_summary }) as DbNodeStatus;
const ids = { pid: null, pgid: null, container: null, started_at: null };
const lbs = (web: boolean, dbUp = true): BalancerStatus[] => [
  { type: 'lb', name: 'lb-web', process: web ? 'running' : 'stopped', ...ids },
  { type: 'lb', name: 'lb-db', process: dbUp ? 'running' : 'stopped', ...ids },
];

describe('what a status word means', () => {
  it.each([
    ['UP', 'up'],
    ['UP (no check)', 'up'],
    ['UP 1/2', 'failing'],
    ['NOLB', 'failing'],
    ['DRAIN', 'drain'],
    ['MAINT', 'maint'],
    ['MAINT (resolution)', 'maint'],
    ['DOWN', 'down'],
    ['DOWN 1/2', 'down'],
    ['STOPPED', 'stopped'],
    ['UNKNOWN', 'unknown'],
  ] as const)('%s is %s', (word, condition) => {
    expect(conditionOf(word as NodeStatusWord)).toBe(condition);
  });

  it("takes nothing but HAProxy's own words from show stat", () => {
    expect(serverStatus({ status: 'no check', weight: '100' })).toBe('UP (no check)');
    expect(serverStatus({ status: 'something new', weight: '100' })).toBe('UNKNOWN');
    expect(serverStatus(undefined)).toBe('UNKNOWN');
  });
});

describe('status summaries', () => {
  it('names server states the way status shows them', () => {
    expect(serverStatus({ status: 'UP', weight: '100' })).toBe('UP');
    expect(serverStatus({ status: 'UP', weight: '0' })).toBe('DRAIN');
    expect(serverStatus({ status: 'DOWN 1/2', weight: '100' })).toBe('DOWN 1/2');
    expect(serverStatus({ status: 'MAINT', weight: '100' })).toBe('MAINT');
    expect(checkText({ check_status: 'L7OK', check_code: '200', check_duration: '2' })).toBe('L7OK 200 in 2 ms');
    expect(checkText({ check_status: '* L4CON', check_code: '', check_duration: '0' })).toBe('L4CON in 0 ms');
  });

  it('summarises replication as Synced, Lagging or Broken with the error', () => {
    expect(summarizeReplication([link(), link({ from: 'mysql3' })])).toBe('Synced');
    expect(summarizeReplication([link({ seconds_behind: 3 })])).toBe('Lagging 3 s');
    expect(summarizeReplication([link({ sql_running: 'No', last_error: "Duplicate entry '1' for key 'PRIMARY'" })])).toBe("Broken: Duplicate entry '1' for key 'PRIMARY'");
    expect(summarizeReplication([link({ io_running: 'Connecting' })])).toBe('Broken: from mysql2: IO Connecting, SQL Yes');
    expect(summarizeReplication(undefined)).toBe('unreachable');
  });

  it('is healthy, degraded (still serving) or down, for exit codes 0, 3, 1', () => {
    expect(overallHealth([web('UP'), web('DRAIN')], [db('UP'), db('UP')], lbs(true))).toBe('healthy');
    expect(overallHealth([web('UP'), web('DOWN')], [db('UP'), db('UP')], lbs(true))).toBe('degraded');
    expect(overallHealth([web('UP')], [db('UP'), db('UP', 'Lagging 2 s')], lbs(true))).toBe('degraded');
    expect(overallHealth([web('UP')], [db('DOWN'), db('UP', 'Broken: x')], lbs(true))).toBe('degraded');
    expect(overallHealth([web('DOWN'), web('MAINT')], [db('UP')], lbs(true))).toBe('down');
    expect(overallHealth([web('UP')], [db('UP')], lbs(false))).toBe('down');
    expect(overallHealth([web('UP')], [db('DOWN'), db('DOWN')], lbs(true))).toBe('down');
  });
});
