import { describe, expect, it } from 'vitest';
import { parseShowStat } from '../../src/haproxy/stat.js';

describe('parseShowStat', () => {
  it('reads rows by column name from HAProxy 2.6 show stat output', () => {
    const text = '# pxname,svname,qcur,scur,status,weight,type,check_status,check_code,check_duration,lastchg\nweb,web1,0,3,UP,100,2,L7OK,200,1,42\nweb,BACKEND,0,3,UP,200,1,,,,42\n\n';
    expect(parseShowStat(text)).toEqual([
      { pxname: 'web', svname: 'web1', qcur: '0', scur: '3', status: 'UP', weight: '100', type: '2', check_status: 'L7OK', check_code: '200', check_duration: '1', lastchg: '42' },
      { pxname: 'web', svname: 'BACKEND', qcur: '0', scur: '3', status: 'UP', weight: '200', type: '1', check_status: '', check_code: '', check_duration: '', lastchg: '42' },
    ]);
  });
});
