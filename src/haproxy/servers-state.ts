import type { NodeState } from '../spec/model.js';

/** What a balancer's runtime API says of one server: the state and weight an operator sets. */
export interface ServerAdmin {
  backend: string;
  name: string;
  state: NodeState;
  weight: number;
}

// srv_admin_state bits (HAProxy 2.6 server.h): forced, inherited and resolver maintenance; forced and inherited drain.
const MAINT = 0x01 | 0x02 | 0x20;
const DRAIN = 0x08 | 0x10;

/**
 * Parse `show servers state [BACKEND]`: a version line, a "# be_id be_name …"
 * header, one line per server. A server marked `disabled` in its config keeps
 * bit 0x04 once made ready: only the bits above make it maint or drain.
 */
export function parseServersState(text: string): ServerAdmin[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines.find((l) => l.startsWith('#'))?.replace(/^#\s*/, '').split(' ') ?? [];
  const at = (name: string) => header.indexOf(name);
  const [backend, server, admin, weight] = [at('be_name'), at('srv_name'), at('srv_admin_state'), at('srv_uweight')];
  if ([backend, server, admin, weight].includes(-1)) return [];
  return lines
    .filter((l) => !l.startsWith('#') && l.includes(' '))
    .map((l) => l.split(' '))
    .map((f) => {
      const bits = Number(f[admin]);
      return { backend: f[backend]!, name: f[server]!, state: bits & MAINT ? 'maint' : bits & DRAIN ? 'drain' : 'ready', weight: Number(f[weight]) };
    });
}
