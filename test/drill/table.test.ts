import { describe, expect, it } from 'vitest';
import { summarizeMode, type Sample } from '../../src/drill/summary.js';
import { DRILL_HEAD, drillRow } from '../../src/drill/table.js';

const s = (phase: Sample['phase'], servedBy: string, color: string | null, ms: number): Sample => ({ phase, ok: true, status: 200, servedBy, color, sessionId: 'sid', ms });

describe('drillRow', () => {
  it('one cell per column: ratio as a percentage (with the node at 100%), verdicts with counts, ms to 0.1, writes to 0.01', () => {
    const sticky = summarizeMode({
      mode: 'sticky',
      color: 'teal',
      samples: [s('set', 'web2', 'teal', 2), s('before-kill', 'web2', 'teal', 1.04), s('before-kill', 'web2', 'teal', 3.96), s('after-kill', 'web1', null, 9)],
      killed: 'web2',
      db: { writes: 0, replicated: 0 },
    });
    const row = drillRow(sticky);
    expect(row).toHaveLength(DRILL_HEAD.length);
    expect(row).toEqual(['sticky', '100% (web2)', 'n/a (no switch)', 'no (0/1)', 'n/a', '2.0', '4.0', '-', '0/4']);

    const db = summarizeMode({
      mode: 'db',
      color: 'teal',
      samples: [s('set', 'web1', 'teal', 2), s('before-kill', 'web2', 'teal', 2), s('before-kill', 'web1', 'teal', 2), s('after-kill', 'web2', 'teal', 2)],
      killed: 'web1',
      db: { writes: 5, replicated: 1 },
    });
    expect(drillRow(db)).toEqual(['db', '50%', 'yes (1/1)', 'yes (1/1)', 'n/a', '2.0', '2.0', '1.25 (DB writes)', '0/4']);
  });

  it("a store mode: the store node's death and its session commands per request of the steady part (the reads after a kill cost what a failover costs)", () => {
    const redis = summarizeMode({
      mode: 'redis',
      color: 'teal',
      samples: [
        s('set', 'web1', 'teal', 2),
        s('before-kill', 'web2', 'teal', 2),
        s('before-kill', 'web1', 'teal', 2),
        s('after-kill', 'web2', 'teal', 2),
        s('after-store-kill', 'web2', 'teal', 1900),
        s('after-store-kill', 'web2', 'teal', 2),
      ],
      killed: 'web1',
      db: { writes: 0, replicated: 0 },
      store: { killed: 'redis1', ops: 10 },
    });
    expect(drillRow(redis)).toEqual(['redis', '50%', 'yes (1/1)', 'yes (1/1)', 'yes (2/2), redis1', '2.0', '2.0', '3.33', '0/6']);
    expect(redis).toMatchObject({ store_killed: 'redis1', store_ops: 10, store_ops_per_request: 3.33, survived_store_death: { reads: 2, kept: 2, verdict: 'yes' } });
  });
});
