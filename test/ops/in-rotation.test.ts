import { describe, expect, it } from 'vitest';
import { expectedInRotation, notInRotation } from '../../src/ops/in-rotation.js';
import { normalize } from '../../src/spec/normalize.js';

const row = (svname: string, status: string, check_status: string, extra: Record<string, string> = {}) => ({ type: '2', pxname: 'b', svname, status, check_status, check_code: '', check_duration: '1', ...extra });

describe('which nodes a balancer has in rotation', () => {
  it('expects every web node but those in maintenance, and every DB node', () => {
    const cluster = normalize({ web: ['web1', { name: 'web2', state: 'maint' }, { name: 'web3', state: 'drain' }], db: ['mysql1', 'mysql2'] });
    expect(expectedInRotation(cluster)).toEqual({ 'lb-web': ['web1', 'web3'], 'lb-db': ['mysql1', 'mysql2'] });
  });

  it('takes UP or DRAIN with a passed last check as in rotation', () => {
    const rows = [row('web1', 'UP', 'L7OK'), row('web3', 'DRAIN', '* L7OK'), { type: '1', svname: 'BACKEND', status: 'UP' }];
    expect(notInRotation(rows, ['web1', 'web3'])).toEqual([]);
  });

  it('names a node that is DOWN, not checked yet, or missing, with what the balancer says', () => {
    const rows = [
      row('mysql1', 'DOWN', 'L7STS', { check_code: '1130' }),
      // Taken for UP at start, before its first check: not yet known to answer.
      row('mysql2', 'UP', 'INI'),
      row('mysql3', 'MAINT', ''),
    ];
    expect(notInRotation(rows, ['mysql1', 'mysql2', 'mysql3', 'mysql4'])).toEqual([
      { name: 'mysql1', seen: 'DOWN L7STS 1130 in 1 ms' },
      { name: 'mysql2', seen: 'UP INI in 1 ms' },
      { name: 'mysql3', seen: 'MAINT' },
      { name: 'mysql4', seen: 'not in its configuration' },
    ]);
  });
});
