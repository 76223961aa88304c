import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memberStatus, parseBalancerManager } from '../../src/apache/balancer-manager.js';

// Captured from Debian's Apache 2.4.71 running the apache engine's rendered lb-web config
// (web1 ready and up; web2 drain, its node not running; web3 maint, weight 50).
const XML = readFileSync(new URL('../fixtures/apache/balancer-manager.xml', import.meta.url), 'utf8');

describe("balancer-manager's XML view", () => {
  it('gives each member its URL, route, loadfactor, flags and counters, and the balancer its nonce and method', () => {
    const [web] = parseBalancerManager(XML);
    expect(web).toMatchObject({ name: 'balancer://web', nonce: '4c6caf56-541b-377f-8bae-502465e77e93', lbmethod: 'byrequests' });
    expect(web!.members).toEqual([
      { url: 'http://127.0.232.1:8000', route: 'S1', loadfactor: 39, flags: ['Init', 'Ok'], busy: 0, elected: 0, read: 0 },
      { url: 'http://127.0.232.2:8000', route: 'S2', loadfactor: 39, flags: ['Init', 'Drn', 'HcFl'], busy: 0, elected: 0, read: 0 },
      { url: 'http://127.0.232.3:8000', route: 'S3', loadfactor: 20, flags: ['Init', 'Dis', 'HcFl'], busy: 0, elected: 0, read: 0 },
    ]);
  });

  it('reads the bytes read from a member apart from its elections (sticky requests grow only the first)', () => {
    const busier = XML.replace('<httpd:read>0</httpd:read>', '<httpd:read>5120</httpd:read>').replace('<httpd:elected>0', '<httpd:elected>3');
    expect(parseBalancerManager(busier)[0]!.members[0]).toMatchObject({ elected: 3, read: 5120 });
  });

  it('maps Apache flags onto the status words HAProxy servers show', () => {
    expect(parseBalancerManager(XML)[0]!.members.map((m) => memberStatus(m.flags))).toEqual(['UP', 'DOWN', 'MAINT']);
    expect(
      [['Init', 'Drn', 'Ok'], ['Init', 'Stop'], ['Init', 'Err'], ['Init', 'Stby', 'Ok'], ['Init']].map(memberStatus),
    ).toEqual(['DRAIN', 'MAINT', 'DOWN', 'UP', 'UNKNOWN']);
  });

  it('reads a page without balancers (the manager on another vhost) as none', () => {
    expect(parseBalancerManager("<?xml version='1.0' encoding='UTF-8' ?><httpd:manager xmlns:httpd='http://httpd.apache.org'><httpd:balancers></httpd:balancers></httpd:manager>")).toEqual([]);
  });
});
