import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBalancerManager } from '../../src/apache/balancer-manager.js';
import { apacheMember } from '../../src/lb-web/apache.js';
import type { WebNode } from '../../src/spec/model.js';

// The fixture: web1 ready and up; web2 drain, its node not running; web3 maint (test/apache/balancer-manager.test.ts).
const XML = readFileSync(new URL('../fixtures/apache/balancer-manager.xml', import.meta.url), 'utf8');
const node = (n: number, over: Partial<WebNode> = {}): WebNode => ({ name: `web${n}`, host: `127.0.232.${n}`, port: 8000, cookie: `S${n}`, weight: 39, state: 'ready', ...over });

describe("an Apache member in the words of lb-web's client", () => {
  const [m1, m2, m3] = parseBalancerManager(XML)[0]!.members;

  it('an usable member: UP, its flags beside, checked, its loadfactor as the weight, ready', () => {
    expect(apacheMember(m1!, node(1))).toMatchObject({
      name: 'web1',
      status: 'UP',
      flags: 'Init Ok',
      checked: true,
      weight: 39,
      sessions: 0,
      total: 0,
      admin: { backend: 'web', name: 'web1', state: 'ready', weight: 39 },
    });
  });

  it('a drained member whose checks fail: DOWN (the checks win over the drain), not checked, its admin state drain', () => {
    expect(apacheMember(m2!, node(2))).toMatchObject({ status: 'DOWN', checked: false, check: 'health check failed', admin: { state: 'drain' } });
  });

  it('a disabled member: MAINT, admin state maint', () => {
    expect(apacheMember(m3!, node(3))).toMatchObject({ status: 'MAINT', flags: 'Init Dis HcFl', admin: { state: 'maint', weight: 20 } });
  });

  it('a member a request found refusing (Err) is not taken for checked, whatever else it says', () => {
    expect(apacheMember({ ...m1!, flags: ['Init', 'Err'] }, node(1))).toMatchObject({ status: 'DOWN', checked: false, check: 'in error (a request could not reach it)' });
  });
});
