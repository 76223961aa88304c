import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Which process listens on HOST:PORT (TCP), from /proc (no ss or lsof needed).
 * Best effort: undefined when it cannot be told (another user's process).
 */
/** /proc/net/tcp writes an IPv4 address as 8 hex digits, least significant byte first. */
function ipv4FromHex(hex: string): string {
  return [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.');
}

function listensOn(hexAddress: string, host: string): boolean {
  if (/^0+$/.test(hexAddress)) return true; // a wildcard listener holds every address
  return hexAddress.length === 8 && ipv4FromHex(hexAddress) === host;
}

export function findListener(host: string, port: number): { pid: number; command: string } | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // f[1] local address:port in hex, f[3] state (0A = LISTEN), f[9] inode
      const [address, hexPort] = (f[1] ?? '').split(':');
      if (f.length > 9 && f[3] === '0A' && parseInt(hexPort!, 16) === port && listensOn(address!, host)) inodes.add(f[9]!);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let link = '';
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(m[1]!)) {
        const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
        return { pid: Number(pid), command };
      }
    }
  }
  return undefined;
}
