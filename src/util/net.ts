import { isIP } from 'node:net';

/** "127.0.0.1:80", "[::1]:80": the host:port form every config and message uses. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** host:port (or [v6]:port, as hostPort writes it) -> its host and port. */
export function splitHostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(address.slice(colon + 1)) };
}

/** Where a client on this host connects to reach something bound to HOST. */
export function connectAddress(host: string): string {
  // "localhost" too: PHP's MySQL driver takes it to mean the unix socket, not TCP.
  if (host === '0.0.0.0' || host === 'localhost') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

/** 127.0.0.0/8 or ::1: reachable from this machine only. */
export function isLoopback(address: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address) || address === '::1';
}

/**
 * Where lb-web's peers listener binds on the local runtime: only the
 * balancer's own workers talk to it (no authentication), so loopback only.
 */
export function peersAddress(listen: string): string {
  const address = connectAddress(listen);
  return isLoopback(address) ? address : '127.0.0.1';
}

/** One spelling per address: IPv6 compressed and lower-case, IPv4-mapped IPv6 as IPv4, names lower-case. */
export function canonicalAddress(host: string): string {
  if (isIP(host) !== 6) return host.toLowerCase();
  const compressed = new URL(`http://[${host}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(compressed);
  if (!mapped) return compressed;
  const [hi, lo] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/**
 * What binding to HOST takes: every address (a wildcard, which on Linux also
 * takes IPv4 when it is ::), or a set of addresses. localhost resolves to both
 * loopback addresses, and a listener given it may bind either.
 */
export function boundAddresses(host: string): 'all' | string[] {
  const address = canonicalAddress(host);
  if (address === '0.0.0.0' || address === '::') return 'all';
  if (address === 'localhost') return ['127.0.0.1', '::1'];
  return [address];
}
