import { describe, expect, it } from 'vitest';
import type { DesiredProcess, ObservedProcess } from '../../src/plan/observed.js';
import { planProcesses, stepsOf } from '../../src/plan/processes.js';

const desired: DesiredProcess[] = [
  { name: 'mysql1', kind: 'db', hash: 'd1', launch: 'L' },
  { name: 'web1', kind: 'web', hash: 'w1', launch: 'L' },
  { name: 'lb-db', kind: 'lb', hash: 'ld', launch: 'L' },
  { name: 'lb-web', kind: 'lb', hash: 'lw', launch: 'L' },
];
const allRunning = (changes: Record<string, Partial<ObservedProcess>> = {}): Map<string, ObservedProcess> =>
  new Map(desired.map((p) => [p.name, { running: true, hash: p.hash, launch: p.launch, ...changes[p.name] }]));
const steps = (observed: Map<string, ObservedProcess>, options = {}) => [...stepsOf(planProcesses(desired, observed, options))];

describe('planProcesses: what up does to the processes', () => {
  it.each([
    ['a fresh cluster: every process starts, in start order', new Map(), {}, [['mysql1', 'start'], ['web1', 'start'], ['lb-db', 'start'], ['lb-web', 'start']]],
    ['a running cluster as it should be: nothing', allRunning(), {}, []],
    ['a crashed node: it starts again, nothing else', allRunning({ web1: { running: false } }), {}, [['web1', 'start']]],
    ['a stopped balancer: it starts', allRunning({ 'lb-web': { running: false } }), {}, [['lb-web', 'start']]],
    ['config drift on a DB node: a restart', allRunning({ mysql1: { hash: 'old' } }), {}, [['mysql1', 'restart']]],
    ["config drift on a balancer: a hitless reload, never a restart", allRunning({ 'lb-db': { hash: 'old' } }), {}, [['lb-db', 'reload']]],
    ['a node added to cluster.yaml by hand: it starts', new Map([...allRunning()].filter(([n]) => n !== 'web1')), {}, [['web1', 'start']]],
    ['how a node is run changed (its command line, its image): a restart', allRunning({ web1: { launch: 'old' } }), {}, [['web1', 'restart']]],
    ['how a balancer is run changed: a restart, since a reload keeps the old program', allRunning({ 'lb-web': { launch: 'old', hash: 'old' } }), {}, [['lb-web', 'restart']]],
    ['hactl reload: both balancers, nothing else', allRunning(), { reloadBalancers: true }, [['lb-db', 'reload'], ['lb-web', 'reload']]],
  ] as const)('%s', (_, observed, options, expected) => {
    expect(steps(new Map(observed as Map<string, ObservedProcess>), options)).toEqual(expected);
  });

  it('says why', () => {
    const plan = planProcesses(desired, allRunning({ web1: { running: false }, 'lb-web': { hash: 'old' } }).set('mysql1', { running: false, hash: undefined }));
    expect(plan.map((a) => `${a.process}: ${a.kind}, ${a.reason}`)).toEqual([
      'mysql1: start, not running',
      'web1: start, not running',
      'lb-web: reload, its config changed',
    ]);
  });
});
