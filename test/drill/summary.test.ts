import { describe, expect, it } from 'vitest';
import { dbDelta, percentile, servedByCounts, stayedRatio, summarizeMode, verdict, type Phase, type Sample } from '../../src/drill/summary.js';

const sample = (phase: Phase, servedBy: string | null, color: string | null, ms = 1, ok = true, sessionId = 'sid1'): Sample => ({
  phase,
  ok,
  status: ok ? 200 : 503,
  servedBy,
  color,
  sessionId: ok ? sessionId : null,
  ms,
  ...(ok ? {} : { error: 'HTTP 503: no server' }),
});

describe('percentile (nearest rank)', () => {
  it('is one of the measured values, the smallest with P % at or below it', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 100)).toBe(10);
    expect(percentile(values, 10)).toBe(1);
  });

  it('p99 of 101 values is the second slowest; of one value, that value; of none, null', () => {
    const values = Array.from({ length: 101 }, (_, i) => i + 1);
    expect(percentile(values, 99)).toBe(100);
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  it('does not reorder its input and refuses a percentile outside (0, 100]', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
    expect(() => percentile(values, 0)).toThrow(RangeError);
    expect(() => percentile(values, 101)).toThrow(RangeError);
  });
});

describe('where the client was served', () => {
  it('counts answers per node, failed requests left out', () => {
    expect(servedByCounts([sample('before-kill', 'web1', null), sample('before-kill', 'web2', null), sample('before-kill', 'web1', null), sample('before-kill', 'web2', null, 1, false)])).toEqual({
      web1: 2,
      web2: 1,
    });
  });

  it('stayed ratio is the share of the busiest node', () => {
    expect(stayedRatio({ web1: 50, web2: 50 })).toEqual({ ratio: 0.5, node: 'web1' });
    expect(stayedRatio({ web1: 1, web2: 3 })).toEqual({ ratio: 0.75, node: 'web2' });
    expect(stayedRatio({ web2: 30 })).toEqual({ ratio: 1, node: 'web2' });
    expect(stayedRatio({ web1: 2, web2: 1, web3: 1 })).toEqual({ ratio: 0.5, node: 'web1' });
    expect(stayedRatio({})).toBeNull();
  });
});

describe('verdict', () => {
  it('is n/a with nothing to judge, yes when every read kept the color, no when none did, partly otherwise', () => {
    expect(verdict({ reads: 0, kept: 0 })).toBe('n/a');
    expect(verdict({ reads: 5, kept: 5 })).toBe('yes');
    expect(verdict({ reads: 5, kept: 0 })).toBe('no');
    expect(verdict({ reads: 5, kept: 4 })).toBe('partly');
  });
});

describe('DB writes', () => {
  it('sums the write-statement counters between two snapshots, counts binlog commits apart and ignores the rest', () => {
    const before = { Com_insert: 10, Com_update: 5, Com_delete: 1, Com_replace: 0, Com_select: 100, Binlog_commits: 7 };
    const after = { Com_insert: 40, Com_update: 7, Com_delete: 2, Com_replace: 1, Com_select: 900, Binlog_commits: 8 };
    expect(dbDelta(before, after)).toEqual({ writes: 30 + 2 + 1 + 1, replicated: 1 });
    expect(dbDelta({}, {})).toEqual({ writes: 0, replicated: 0 });
  });
});

describe('summarizeMode', () => {
  it('none-like: round robin, a new session on each switch, nothing after the death', () => {
    const samples = [
      sample('set', 'web1', 'teal', 4),
      sample('before-kill', 'web2', null, 1),
      sample('before-kill', 'web1', null, 2),
      sample('before-kill', 'web2', null, 3),
      sample('before-kill', 'web1', null, 5),
      sample('after-kill', 'web2', null, 100),
      sample('after-kill', 'web2', null, 100),
    ];
    const r = summarizeMode({ mode: 'none', color: 'teal', samples, killed: 'web1', db: { writes: 0, replicated: 0 } });
    expect(r).toMatchObject({
      set_on: 'web1',
      killed: 'web1',
      requests: 7,
      failed: 0,
      served_by: { web1: 2, web2: 2 },
      served_by_after_kill: { web2: 2 },
      stayed_on_one_node: 0.5,
      session_ids: 1,
      survived_switch: { reads: 2, kept: 0, verdict: 'no' },
      survived_death: { reads: 2, kept: 0, verdict: 'no' },
      db_writes: 0,
      db_writes_per_request: 0,
      db_replicated_transactions: 0,
      errors: [],
    });
    // The steady state only: the set and the reads before the kill (1, 2, 3, 4, 5 ms).
    expect(r.latency_ms).toEqual({ p50: 3, p99: 5 });
  });

  it('sticky-like: one node until the kill, so the switch is n/a', () => {
    const samples = [sample('set', 'web2', 'plum'), ...Array.from({ length: 5 }, () => sample('before-kill', 'web2', 'plum')), sample('after-kill', 'web1', null)];
    const r = summarizeMode({ mode: 'sticky', color: 'plum', samples, killed: 'web2', db: { writes: 0, replicated: 0 } });
    expect(r.stayed_on_one_node).toBe(1);
    expect(r.survived_switch).toEqual({ reads: 0, kept: 0, verdict: 'n/a' });
    expect(r.survived_death).toEqual({ reads: 1, kept: 0, verdict: 'no' });
  });

  it('db-like: the color everywhere, writes per request over every request', () => {
    const samples = [sample('set', 'web1', 'gold'), sample('before-kill', 'web2', 'gold'), sample('before-kill', 'web1', 'gold'), sample('after-kill', 'web2', 'gold')];
    const r = summarizeMode({ mode: 'db', color: 'gold', samples, killed: 'web1', db: { writes: 5, replicated: 1 } });
    expect(r.survived_switch).toEqual({ reads: 1, kept: 1, verdict: 'yes' });
    expect(r.survived_death).toEqual({ reads: 1, kept: 1, verdict: 'yes' });
    expect(r.db_writes_per_request).toBe(1.25);
    expect(r.db_replicated_transactions).toBe(1);
  });

  it('a failed read after the kill did not give the color back; a failed read before it is no switch', () => {
    const samples = [
      sample('set', 'web1', 'navy'),
      sample('before-kill', null, null, 1, false),
      sample('before-kill', 'web2', 'navy'),
      sample('after-kill', null, null, 1, false),
      sample('after-kill', 'web2', 'navy'),
    ];
    const r = summarizeMode({ mode: 'db', color: 'navy', samples, killed: 'web1', db: { writes: 0, replicated: 0 } });
    expect(r.failed).toBe(2);
    expect(r.survived_switch).toEqual({ reads: 1, kept: 1, verdict: 'yes' });
    expect(r.survived_death).toEqual({ reads: 2, kept: 1, verdict: 'partly' });
    expect(r.errors).toEqual(['HTTP 503: no server']);
  });

  it('counts the sessions the client was given, failed requests aside', () => {
    const samples = [
      sample('set', 'web1', 'teal', 1, true, 'a'),
      sample('before-kill', 'web2', null, 1, true, 'b'),
      sample('before-kill', 'web1', null, 1, true, 'c'),
      sample('before-kill', null, null, 1, false),
      sample('after-kill', 'web2', null, 1, true, 'c'),
    ];
    expect(summarizeMode({ mode: 'none', color: 'teal', samples, killed: 'web1', db: { writes: 0, replicated: 0 } }).session_ids).toBe(3);
  });

  it('another color than the one set does not count as kept', () => {
    const samples = [sample('set', 'web1', 'teal'), sample('before-kill', 'web2', 'plum'), sample('after-kill', 'web2', 'plum')];
    const r = summarizeMode({ mode: 'db', color: 'teal', samples, killed: 'web1', db: { writes: 0, replicated: 0 } });
    expect(r.survived_switch.kept).toBe(0);
    expect(r.survived_death.kept).toBe(0);
  });
});
