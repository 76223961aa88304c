import { describe, expect, it } from 'vitest';
import type { ServerAdmin } from '../../src/haproxy/servers-state.js';
import { runtimeCommand } from '../../src/plan/action.js';
import { planWebStates } from '../../src/plan/web-states.js';
import type { NodeState, WebNode } from '../../src/spec/model.js';

const node = (name: string, state: NodeState = 'ready', weight = 100): WebNode => ({ name, host: '127.0.1.1', port: 8000, cookie: 'S1', state, weight });
const seen = (name: string, state: NodeState = 'ready', weight = 100, backend = 'web'): ServerAdmin => ({ backend, name, state, weight });
const commands = (nodes: WebNode[], observed: ServerAdmin[]) => planWebStates(nodes, observed, 'web').map(runtimeCommand);

describe('planWebStates: what lb-web must be told', () => {
  it.each([
    ['nothing when it already runs what cluster.yaml says', [node('web1', 'drain', 40)], [seen('web1', 'drain', 40)], []],
    ['a drain: exactly one command', [node('web1', 'drain')], [seen('web1')], ['set server web/web1 state drain']],
    ['an enable after a disable: exactly one command', [node('web1')], [seen('web1', 'maint')], ['set server web/web1 state ready']],
    ['a weight: exactly one command', [node('web2', 'ready', 50)], [seen('web2')], ['set weight web/web2 50']],
    // After a reload the config says weight 0 for a drained node (it has no drain keyword): state and weight both.
    ['a drained node after a reload', [node('web1', 'drain', 40)], [seen('web1', 'ready', 0)], ['set server web/web1 state drain', 'set weight web/web1 40']],
    ['nothing for a node lb-web does not have yet (its reload brings it)', [node('web3', 'drain')], [seen('web1')], []],
    ['nothing from servers of another backend', [node('web1', 'maint')], [seen('web1', 'ready', 100, 'stats')], []],
  ] as const)('%s', (_, nodes, observed, expected) => {
    expect(commands([...nodes], [...observed])).toEqual(expected);
  });

  it('says why each action is there', () => {
    expect(planWebStates([node('web1', 'drain', 40)], [seen('web1', 'ready', 100)], 'web').map((a) => a.reason)).toEqual([
      'web1 is ready in lb-web; cluster.yaml says drain',
      'web1 has weight 100 in lb-web; cluster.yaml says 40',
    ]);
  });
});
