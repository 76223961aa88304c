import { BlockList, isIP } from 'node:net';
import { badInput } from '../errors.js';
import { canonicalAddress } from '../util/net.js';

/** Which client addresses may use the dashboard, like Apache's `Require ip`: none given means all. */
export interface ClientNetworks {
  allows(address: string): boolean;
}

/** CIDR (10.0.0.0/8, fd00::/8) or a single address; a bad one is refused naming it. */
export function clientNetworks(specs: readonly string[]): ClientNetworks {
  const blocks = new BlockList();
  for (const spec of specs) {
    const [address = '', prefix, extra] = spec.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    const bits = prefix === undefined ? max : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
    if (family === 0 || extra !== undefined || !(bits >= 0 && bits <= max)) {
      throw badInput(`--allow: ${JSON.stringify(spec)} is not an address or a network like 10.0.0.0/8 or fd00::/8`);
    }
    blocks.addSubnet(address, bits, family === 6 ? 'ipv6' : 'ipv4');
  }
  return {
    allows(remote: string): boolean {
      if (specs.length === 0) return true;
      // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d: matched as IPv4.
      const address = canonicalAddress(remote);
      const family = isIP(address);
      return family !== 0 && blocks.check(address, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}
