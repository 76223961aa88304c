import { isIP } from 'node:net';
import { badInput } from '../errors.js';
import { hostPort, isLoopback } from '../util/net.js';

/**
 * The names the dashboard is served as, against DNS rebinding: a page of
 * evil.example whose name is made to resolve to this address reaches the
 * dashboard from the browser as the same site, and only the Host header
 * (evil.example) tells it apart. So only these Host values are answered:
 * - the listen address with the port, e.g. 127.0.0.1:9000 or [::1]:9000;
 * - on a loopback or wildcard address, also localhost, 127.0.0.1 and [::1]
 *   with the port;
 * - on a wildcard address, any IP address with the port: the dashboard
 *   answers on every address of the host, and a browser sends an address as
 *   Host only when it was asked for that address, which cannot be rebound
 *   (webpack-dev-server's and Vite's allowed hosts accept addresses so too);
 * - the --host-name names, with any port or none: a reverse proxy in front
 *   forwards its own.
 */
export interface ServedAs {
  /** HOST (a Host header) names the dashboard. */
  host(host: string | undefined): boolean;
  /** URL (an Origin or Referer) is a page of the dashboard: a change made from anywhere else is refused. */
  page(url: string): boolean;
}

// Letters, digits and hyphens in dot-separated labels: what a browser sends for a name.
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
// A name or an address, with an optional port, and nothing else (no user@, no path) for URL to find a host in.
const HOST_HEADER = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** NAME as --host-name takes it (a name or an address, no port or scheme), lower-case; else bad input naming it. */
export function hostName(name: string): string {
  const lower = name.toLowerCase();
  if (isIP(lower) === 4 || HOST_NAME.test(lower)) return lower;
  if (isIP(lower) === 6) return `[${lower}]`;
  throw badInput(`--host-name: ${JSON.stringify(name)} is not a host name (a name like dash.example.org, or an address; no scheme, port or path)`);
}

export function servedAs(listen: string, port: number, names: readonly string[]): ServedAs {
  // URL spells every address one way (IPv6 compressed, in brackets; names lower-case), as it does the headers below.
  const self = new URL(`http://${hostPort(listen, port)}/`).hostname;
  const wildcard = self === '0.0.0.0' || self === '[::]';
  const local = wildcard || self === 'localhost' || isLoopback(self.replace(/^\[|\]$/g, ''));
  const withPort = new Set([self, ...(local ? ['localhost', '127.0.0.1', '[::1]'] : [])]);
  const anyPort = new Set(names.map(hostName).map((n) => new URL(`http://${n}/`).hostname));

  const accepts = (url: URL) => {
    if (anyPort.has(url.hostname)) return true;
    const samePort = Number(url.port || (url.protocol === 'https:' ? 443 : 80)) === port;
    const address = isIP(url.hostname.replace(/^\[|\]$/g, '')) !== 0;
    return samePort && (withPort.has(url.hostname) || (wildcard && address));
  };
  const parsed = (text: string) => {
    try {
      return new URL(text);
    } catch {
      return undefined;
    }
  };
  return {
    host(host) {
      const url = host !== undefined && HOST_HEADER.test(host) ? parsed(`http://${host}/`) : undefined;
      return url !== undefined && accepts(url);
    },
    page(text) {
      const url = parsed(text);
      return url !== undefined && (url.protocol === 'http:' || url.protocol === 'https:') && accepts(url);
    },
  };
}
