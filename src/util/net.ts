/** "127.0.0.1:80", "[::1]:80": the host:port form every config and message uses. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export const WILDCARD_ADDRESSES: ReadonlySet<string> = new Set(['0.0.0.0', '::']);

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
