import { describe, expect, it } from 'vitest';
import { memcachedOps, redisOps } from '../../src/drill/store-ops.js';

describe("a store's session work, from its own counters", () => {
  it('memcached: gets, sets (the lock is an add), deletes (the unlock) and touches; not the other counters', () => {
    expect(memcachedOps({ cmd_get: 10, cmd_set: 7, cmd_touch: 1, delete_hits: 3, delete_misses: 1, cmd_flush: 9, curr_connections: 50 })).toBe(22);
    expect(memcachedOps({})).toBe(0);
  });

  it("redis: the session handler's commands from INFO commandstats; lb-db's and the Sentinels' checks are left out", () => {
    const info = [
      '# Commandstats',
      'cmdstat_get:calls=12,usec=40,usec_per_call=3.33,rejected_calls=0,failed_calls=0',
      'cmdstat_setex:calls=4,usec=20,usec_per_call=5.00,rejected_calls=0,failed_calls=0',
      'cmdstat_set:calls=4,usec=20,usec_per_call=5.00,rejected_calls=0,failed_calls=0',
      'cmdstat_eval:calls=4,usec=60,usec_per_call=15.00,rejected_calls=0,failed_calls=0',
      'cmdstat_exists:calls=2,usec=2,usec_per_call=1.00,rejected_calls=0,failed_calls=0',
      'cmdstat_auth:calls=900,usec=900,usec_per_call=1.00,rejected_calls=0,failed_calls=0',
      'cmdstat_info:calls=900,usec=9000,usec_per_call=10.00,rejected_calls=0,failed_calls=0',
      'cmdstat_ping:calls=300,usec=300,usec_per_call=1.00,rejected_calls=0,failed_calls=0',
      '',
    ].join('\r\n');
    expect(redisOps(info)).toBe(26);
  });
});
