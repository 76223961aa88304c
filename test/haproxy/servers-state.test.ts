import { describe, expect, it } from 'vitest';
import { parseServersState } from '../../src/haproxy/servers-state.js';

// HAProxy 2.6's own answer: web1 ready; web2 "disabled" in its config, then set ready
// (bit 0x04 stays); web3 set to maint at weight 30; web4 drained; web5 drained and in maint.
const ANSWER = `1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
2 web 1 web1 127.0.0.1 2 0 100 100 0 1 0 2 0 0 0 0 - 1 - 0 0 - - 0
2 web 2 web2 127.0.0.1 2 4 50 50 1 1 0 0 8 0 0 0 - 2 - 0 0 - - 0
2 web 3 web3 127.0.0.1 0 1 30 0 0 1 0 0 0 0 0 0 - 3 - 0 0 - - 0
2 web 4 web4 127.0.0.1 2 8 100 100 0 1 0 2 0 0 0 0 - 4 - 0 0 - - 0
2 web 5 web5 127.0.0.1 0 9 100 100 0 1 0 2 0 0 0 0 - 5 - 0 0 - - 0
`;

describe('parseServersState', () => {
  it('reads each server admin state from its bits, and its weight', () => {
    expect(parseServersState(ANSWER).map(({ name, state, weight }) => [name, state, weight])).toEqual([
      ['web1', 'ready', 100],
      ['web2', 'ready', 50],
      ['web3', 'maint', 30],
      ['web4', 'drain', 100],
      ['web5', 'maint', 100],
    ]);
    expect(parseServersState(ANSWER)[0]!.backend).toBe('web');
  });

  it('reads an answer without its header (an error sentence) as no servers', () => {
    expect(parseServersState("Can't find backend.\n")).toEqual([]);
  });
});
