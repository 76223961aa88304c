import { describe, expect, it } from 'vitest';
import { conditionOf, type BalancerStatus, type DbNodeStatus, type NodeStatusWord, type WebNodeStatus } from '../../src/status/model.js';
import { activeMaster, agentReason, checkText, overallHealth, serverStatus, summarizeReplication } from '../../src/status/summarize.js';
import { AGENT_STALE_S, parseAgentState } from '../../src/status/db-agent.js';
import { parseWriterEntry } from '../../src/haproxy/writer-entry.js';

const link = (over: object = {}) => ({ from: 'mysql2', io_running: 'Yes', sql_running: 'Yes', seconds_behind: 0, gtid_io_pos: '2-2-5', last_error: '', ...over });
const web = (status: string) => ({ type: 'web', name: 'w', status }) as WebNodeStatus;
const db = (status: string, replication_summary = 'Synced', over: Partial<DbNodeStatus> = {}) =>
  ({ type: 'db', name: 'd', status, replication_summary, replication: replication_summary.startsWith('Broken') ? [link({ sql_running: 'No' })] : [link()], reason: null, ...over }) as DbNodeStatus;
const health = (...args: Parameters<typeof overallHealth>) => overallHealth(...args).health;
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
    expect(health([web('UP'), web('DRAIN')], [db('UP'), db('UP')], lbs(true))).toBe('healthy');
    expect(health([web('UP'), web('DOWN')], [db('UP'), db('UP')], lbs(true))).toBe('degraded');
    expect(health([web('UP')], [db('UP'), db('UP', 'Lagging 2 s')], lbs(true))).toBe('degraded');
    expect(health([web('UP')], [db('DOWN'), db('UP', 'Broken: x')], lbs(true))).toBe('degraded');
    expect(health([web('DOWN'), web('MAINT')], [db('UP')], lbs(true))).toBe('down');
    expect(health([web('UP')], [db('UP')], lbs(false))).toBe('down');
    expect(health([web('UP')], [db('DOWN'), db('DOWN')], lbs(true))).toBe('down');
  });

  it('takes one DB node with no replication for healthy: there is nothing for it to replicate from', () => {
    expect(overallHealth([web('UP')], [db('UP', 'no replication', { replication: [] })], lbs(true))).toEqual({ health: 'healthy', reasons: [] });
    expect(health([web('UP')], [db('UP', 'no replication', { replication: [] }), db('UP')], lbs(true))).toBe('degraded');
  });

  it('says why it is not healthy: a drained backup in its agent\'s words, a link that stopped, a lag', () => {
    const drained = db('DRAIN (agent)', 'Lagging 14 s', { name: 'mysql2', reason: 'DRAIN: 14 s behind mysql1' });
    expect(overallHealth([web('UP')], [db('UP', 'Synced', { name: 'mysql1' }), drained], lbs(true))).toEqual({ health: 'degraded', reasons: ['mysql2 is DRAIN: 14 s behind mysql1'] });
    const broken = db('UP', "Broken: Duplicate entry '1'", { name: 'mysql1' });
    expect(overallHealth([web('UP')], [broken, db('UP', 'Lagging 3 s', { name: 'mysql2' })], lbs(true)).reasons).toEqual([
      'mysql1: replication from mysql2 is not running',
      'mysql2: replication Lagging 3 s',
    ]);
  });

  it("puts a running DB node's agent reason in its status, and says so when the agent has gone silent", () => {
    const answer = { answer: 'drain', reason: '14 s behind mysql1', writer: 'mysql1', read_only: true, age_s: 0 } as const;
    expect(agentReason(answer, true)).toBe('DRAIN: 14 s behind mysql1');
    expect(agentReason({ ...answer, answer: 'up', reason: '' }, true)).toBeNull();
    expect(agentReason({ ...answer, age_s: AGENT_STALE_S + 1 }, true)).toBe('its health agent does not answer');
    expect(agentReason(null, true)).toBe('its health agent does not answer');
    expect(agentReason(null, false)).toBeNull();
  });

  it("names the active master after lb-db's writer entry, or the first usable one when it has none", () => {
    const masters = [{ name: 'mysql1', status: 'UP' as const }, { name: 'mysql2', status: 'UP' as const }];
    expect(activeMaster(masters, 'mysql2')).toBe('mysql2');
    expect(activeMaster(masters, null)).toBe('mysql1');
    expect(activeMaster([{ name: 'mysql1', status: 'DOWN' }, masters[1]!], undefined)).toBe('mysql2');
    // An entry for a master cluster.yaml no longer has (removed while lb-db still held it).
    expect(activeMaster(masters, 'mysql9')).toBe('mysql1');
    // An entry for a master that died: no connection goes there any more.
    expect(activeMaster([{ name: 'mysql1', status: 'DOWN' }, masters[1]!], 'mysql1')).toBe('mysql2');
  });
});

describe("a DB node's health agent, as status reads it", () => {
  it('reads its state file: answer, reason, writer, read_only, time', () => {
    expect(parseAgentState('drain\t14 s behind mysql1\tmysql1\t1\t1000\n', 1003)).toEqual({ answer: 'drain', reason: '14 s behind mysql1', writer: 'mysql1', read_only: true, age_s: 3 });
    expect(parseAgentState('up\t\t\t0\t1000\n', 1000)).toEqual({ answer: 'up', reason: '', writer: null, read_only: false, age_s: 0 });
    expect(parseAgentState(undefined, 1000)).toBeNull();
    expect(parseAgentState('garbage', 1000)).toBeNull();
  });

  it("reads lb-db's writer entry: a name, none yet, or not known (HAProxy left it out while a connection updated it)", () => {
    expect(parseWriterEntry('# table: mariadb, type: integer, size:1, used:1\n0x55: key=1 use=0 exp=0 server_id=2 server_key=mysql2\n')).toBe('mysql2');
    expect(parseWriterEntry('# table: mariadb, type: integer, size:1, used:0\n\n')).toBeNull();
    expect(parseWriterEntry('# table: mariadb, type: integer, size:1, used:1\n\n')).toBeUndefined();
    // Made by a DB agent (set table … data.server_id): the server by its id until a connection names it.
    const byId = '# table: mariadb, type: integer, size:1, used:1\n0x55: key=1 use=0 exp=0 server_id=2 server_key=-\n\n1\n# be_id be_name srv_id srv_name srv_addr\n4 mariadb 1 mysql1 127.0.2.1 2 0 1 1\n4 mariadb 2 mysql2 127.0.2.2 2 0 1 1\n';
    expect(parseWriterEntry(byId)).toBe('mysql2');
  });
});
