import { describe, expect, it } from 'vitest';
import { fields, inSync, promotable, replicasCaughtUp } from '../../src/ops/redis-ops.js';

const info = (...lines: string[]) => `# Replication\r\n${lines.join('\r\n')}\r\n`;

describe("reading Redis's and the Sentinels' answers", () => {
  it('a node serves when it is the primary, or a replica whose first copy is done, and not still on the primary that was failed over', () => {
    expect(inSync(info('role:master', 'connected_slaves:1'))).toBe(true);
    expect(inSync(info('role:slave', 'master_host:127.0.4.2', 'master_link_status:up', 'master_sync_in_progress:0'))).toBe(true);
    expect(inSync(info('role:slave', 'master_host:127.0.4.2', 'master_link_status:down', 'master_sync_in_progress:0'))).toBe(false);
    expect(inSync(info('role:slave', 'master_host:127.0.4.2', 'master_link_status:up', 'master_sync_in_progress:1'))).toBe(false);
    expect(inSync(info('role:slave', 'master_host:127.0.4.1', 'master_link_status:up', 'master_sync_in_progress:0'), '127.0.4.1')).toBe(false);
    // 127.0.4.1 is not 127.0.4.10, nor a dot any character.
    expect(inSync(info('role:slave', 'master_host:127.0.4.10', 'master_link_status:up', 'master_sync_in_progress:0'), '127.0.4.1')).toBe(true);
    expect(inSync('error: connect ECONNREFUSED')).toBe(false);
  });

  it("the replicas have all the primary wrote when each one's acknowledged offset reaches the primary's", () => {
    const primary = (...replicas: string[]) => info('role:master', `connected_slaves:${replicas.length}`, ...replicas, 'master_repl_offset:5000');
    expect(replicasCaughtUp(primary('slave0:ip=127.0.4.2,port=6379,state=online,offset=5000,lag=0'))).toBe(true);
    expect(replicasCaughtUp(primary('slave0:ip=127.0.4.2,port=6379,state=online,offset=5000,lag=0', 'slave1:ip=127.0.4.3,port=6379,state=online,offset=4870,lag=1'))).toBe(false);
    // No replica to hand over to is not "caught up".
    expect(replicasCaughtUp(primary())).toBe(false);
  });

  it('a Sentinel would promote a replica whose flags say nothing is wrong with it', () => {
    const replica = (flags: string) => ['name', '127.0.4.2:6379', 'ip', '127.0.4.2', 'port', '6379', 'flags', flags];
    expect(promotable([replica('slave')])).toBe(true);
    expect(promotable([replica('s_down,slave'), replica('slave,disconnected')])).toBe(false);
    expect(promotable([])).toBe(false);
    expect(promotable(null)).toBe(false);
    expect(fields(['num-slaves', '1', 'num-other-sentinels', '2'])).toEqual({ 'num-slaves': '1', 'num-other-sentinels': '2' });
  });
});
