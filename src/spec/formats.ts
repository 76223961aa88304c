import { isIP } from 'node:net';

/**
 * String formats of cluster.yaml. Each value that can reach a config file or
 * a command line has one, and each format rejects whitespace, quotes, '#',
 * and control characters by construction, so nothing can be injected.
 */
export interface FormatRule {
  test(value: string): boolean;
  /** What a valid value looks like, for the error message. */
  expected: string;
}

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export function isHost(value: string): boolean {
  // An IPv6 scope id (fe80::1%lo) names an interface of one machine: no config hactl writes takes it.
  return (isIP(value) !== 0 && !value.includes('%')) || (HOSTNAME.test(value) && !/^[0-9.]+$/.test(value));
}

export const FORMATS: Record<string, FormatRule> = {
  'dns-label': {
    test: (v) => DNS_LABEL.test(v),
    expected: "a DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
  },
  host: {
    test: isHost,
    expected: 'an IP address or a hostname',
  },
  'host-pattern': {
    test: (v) => v.includes('{n}') && isHost(v.replaceAll('{n}', '1')),
    expected: 'an address or hostname containing {n}, e.g. 127.0.1.{n}',
  },
  cookie: {
    test: (v) => /^[A-Za-z0-9_-]{1,32}$/.test(v),
    expected: "1 to 32 letters, digits, '_' or '-'",
  },
  'url-path': {
    test: (v) => /^\/[A-Za-z0-9._~/-]{0,200}$/.test(v),
    expected: "a path starting with '/' made of letters, digits and . _ ~ / -",
  },
  duration: {
    test: (v) => parseDuration(v) !== undefined,
    expected: 'a duration from 10ms to 1h, like 250ms, 2s or 1m',
  },
  'container-prefix': {
    // Put before a node's name it must keep a Docker container name: empty, or a DNS label start.
    test: (v) => /^([a-z0-9][a-z0-9-]{0,31})?$/.test(v),
    expected: "empty, or up to 32 lower-case letters, digits and '-', starting with a letter or digit (e.g. staging-)",
  },
  'tls-name': {
    // A certificate's name: a hostname, an address, or a wildcard over one label (*.example.com).
    test: (v) => isHost(v) || (v.startsWith('*.') && HOSTNAME.test(v.slice(2)) && v.slice(2).includes('.')),
    expected: 'a hostname, an IP address, or *.domain (a wildcard over one label)',
  },
  'file-path': {
    // Only hactl reads it (its content goes into the rendered files, never the path): any characters a file name may have but control characters.
    test: (v) => /^[^\0-\x1f\x7f]{1,4096}$/.test(v),
    expected: 'a file path without control characters or line breaks',
  },
  'sql-identifier': {
    test: (v) => /^[A-Za-z_][A-Za-z0-9_]{0,31}$/.test(v),
    expected: "a letter or '_' followed by letters, digits or '_', at most 32 characters",
  },
};

/** The formats as ajv takes them; the precompiled validator imports them from here. */
export const AJV_FORMATS = Object.fromEntries(
  Object.entries(FORMATS).map(([name, rule]) => [name, { type: 'string' as const, validate: rule.test }]),
);

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "250ms" -> 250, "2s" -> 2000; numbers are milliseconds. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 10 && value <= 3_600_000 ? value : undefined;
  const m = /^(\d{1,7})(ms|s|m|h)$/.exec(value);
  if (!m) return undefined;
  const ms = Number(m[1]) * UNITS[m[2]!]!;
  return ms >= 10 && ms <= 3_600_000 ? ms : undefined;
}

const DANGEROUS: [RegExp, string][] = [
  [/\n|\r/, 'a line break'],
  [/[\0-\x08\x0b\x0c\x0e-\x1f\x7f]/, 'a control character'],
  [/ |\t/, 'a space'],
  [/["'`]/, 'a quote'],
  [/#/, "'#'"],
  [/[;&|$\\<>]/, 'a shell or config metacharacter'],
];

/** Names the characters that make VALUE unsafe in a config or command line. */
export function dangerousCharacters(value: string): string[] {
  return DANGEROUS.filter(([re]) => re.test(value)).map(([, what]) => what);
}

export function formatMessage(format: string, value: string): string {
  const rule = FORMATS[format];
  const bad = dangerousCharacters(value);
  const scoped = format.startsWith('host') && isIP(value.split('%')[0]!) === 6 && value.includes('%');
  const why = bad.length > 0 ? ` (it contains ${bad.join(' and ')})` : scoped ? ' (IPv6 scope ids such as %lo are not supported)' : '';
  return `${JSON.stringify(value)} is not valid${why}: expected ${rule?.expected ?? format}`;
}
