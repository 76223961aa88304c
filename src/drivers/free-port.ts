import { EXIT, HactlError } from '../errors.js';
import { findListener } from '../util/listener.js';
import { connectAddress, hostPort } from '../util/net.js';
import { tcpOpen } from '../util/probe.js';

/**
 * HOST:PORT must be free for WHO to BIND it (start, publish): a plan that
 * cannot be carried out is refused before any of it runs (exit 2), naming
 * the holder when this machine can tell.
 */
export async function assertFree(host: string, port: number, who: string, bind: 'start' | 'publish it'): Promise<void> {
  const address = connectAddress(host);
  if (!(await tcpOpen(address, port, 300))) return;
  const holder = findListener(address, port);
  const held = holder ? ` (held by pid ${holder.pid}: ${holder.command})` : bind === 'publish it' ? ' (by another container or process)' : '';
  throw new HactlError(`${hostPort(host, port)} is already in use, so ${who} cannot ${bind}${held}; nothing was changed`, EXIT.badInput);
}
