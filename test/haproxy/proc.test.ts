import { describe, expect, it } from 'vitest';
import { parseShowProc } from '../../src/haproxy/proc.js';

// Real `show proc` answers of HAProxy 2.6.12's master CLI.
const AFTER_RELOAD = `#<PID>          <type>          <reloads>       <uptime>        <version>
13901           master          6 [failed: 0]   0d00h10m26s     2.6.12-1+deb12u4
# workers
14173           worker          0               0d00h00m01s     2.6.12-1+deb12u4
# old workers
14020           worker          3               0d00h00m16s     2.6.12-1+deb12u4
# programs

`;

const AFTER_FAILED_RELOAD = `#<PID>          <type>          <reloads>       <uptime>        <version>
13901           master          5 [failed: 2]   0d00h10m15s     2.6.12-1+deb12u4
# workers
14020           worker          2               0d00h00m05s     2.6.12-1+deb12u4
# programs
`;

describe('parseShowProc', () => {
  it('reads the reload counters, the current worker and the old ones', () => {
    expect(parseShowProc(AFTER_RELOAD)).toEqual({ reloads: 6, failedReloads: 0, workers: [14173], oldWorkers: [14020] });
  });

  it('sees a failed reload: the count grows and the worker stays', () => {
    expect(parseShowProc(AFTER_FAILED_RELOAD)).toEqual({ reloads: 5, failedReloads: 2, workers: [14020], oldWorkers: [] });
  });

  it('gives an empty table for an empty answer', () => {
    expect(parseShowProc('')).toEqual({ reloads: 0, failedReloads: 0, workers: [], oldWorkers: [] });
  });
});
