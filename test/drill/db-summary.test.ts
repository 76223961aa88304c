import { describe, expect, it } from 'vitest';
import { longestPause, twoWriters, writerRuns, writesBefore } from '../../src/drill/db-summary.js';

const ack = (id: number, node: string, at: number) => ({ id, node, at });

describe("the DB drill's figures", () => {
  const run = [ack(1, 'mysql1', 100), ack(2, 'mysql1', 150), ack(3, 'mysql2', 700), ack(4, 'mysql2', 720), ack(5, 'mysql1', 2000)];

  it('takes the longest time without an acknowledged write in a window, its edges included', () => {
    expect(longestPause(run, 0, 1000)).toBe(550);
    expect(longestPause(run, 160, 650)).toBe(490);
    expect(longestPause([], 0, 300)).toBe(300);
  });

  it('names the masters that took the writes, in order, each run once', () => {
    expect(writerRuns(run)).toEqual(['mysql1', 'mysql2', 'mysql1']);
    expect(writerRuns([ack(2, 'mysql2', 5), ack(1, 'mysql1', 1)])).toEqual(['mysql1', 'mysql2']);
  });

  it('calls it two writers at once when the writes went back and forth more than the drill moved them', () => {
    expect(twoWriters(run, 2)).toBe(false);
    expect(twoWriters(run, 1)).toBe(true);
    const interleaved = [ack(1, 'mysql1', 1), ack(2, 'mysql2', 2), ack(3, 'mysql1', 3), ack(4, 'mysql2', 4)];
    expect(twoWriters(interleaved, 1)).toBe(true);
  });

  it('counts the writes a master took in a window before it had caught up', () => {
    expect(writesBefore(run, 'mysql1', 500, 2500)).toBe(1);
    expect(writesBefore(run, 'mysql1', 500, 1500)).toBe(0);
  });
});
