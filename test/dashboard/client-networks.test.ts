import { describe, expect, it } from 'vitest';
import { clientNetworks } from '../../src/dashboard/client-networks.js';
import { HactlError } from '../../src/errors.js';

describe('clientNetworks', () => {
  it('allows every client when no network is given', () => {
    expect(clientNetworks([]).allows('203.0.113.9')).toBe(true);
  });

  it('allows only the given networks and addresses, IPv4 and IPv6', () => {
    const n = clientNetworks(['10.0.0.0/8', '192.168.1.7', 'fd00::/8']);
    expect(n.allows('10.200.3.4')).toBe(true);
    expect(n.allows('192.168.1.7')).toBe(true);
    expect(n.allows('192.168.1.8')).toBe(false);
    expect(n.allows('127.0.0.1')).toBe(false);
    expect(n.allows('fd12::1')).toBe(true);
    expect(n.allows('::1')).toBe(false);
  });

  it('matches an IPv4 client seen through a dual-stack socket', () => {
    expect(clientNetworks(['127.0.0.0/8']).allows('::ffff:127.0.0.1')).toBe(true);
    expect(clientNetworks(['10.0.0.0/8']).allows('::ffff:127.0.0.1')).toBe(false);
  });

  it('refuses a bad network as bad input, naming it', () => {
    for (const bad of ['10.0.0.0/33', 'localhost', '10.0.0.0/8/1', 'fd00::/129', '10.0.0.0/x', '1.2.3.4\n']) {
      let err: unknown;
      try {
        clientNetworks([bad]);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(HactlError);
      expect((err as HactlError).exitCode).toBe(2);
      expect((err as HactlError).message).toContain(JSON.stringify(bad));
    }
  });
});
