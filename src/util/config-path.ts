/**
 * Characters that no quoting makes safe in a path written into haproxy.cfg,
 * my.cnf or a compose file: a quote or '\' ends or escapes the quoting, '$'
 * is expanded by HAProxy even inside double quotes, a line break starts a
 * new directive.
 */
const UNQUOTABLE: [RegExp, string][] = [
  [/[\n\r]/, 'a line break'],
  [/[\0-\x09\x0b\x0c\x0e-\x1f\x7f]/, 'a control character'],
  [/["']/, 'a quote'],
  [/\\/, "'\\'"],
  [/\$/, "'$'"],
];

/** Names what makes PATH impossible to write safely into a config file; empty when nothing does. */
export function unquotablePathCharacters(path: string): string[] {
  return UNQUOTABLE.filter(([re]) => re.test(path)).map(([, what]) => what);
}

export interface SocketPathLimit {
  bytes: number;
  /** Whose limit it is, for the message. */
  of: string;
}

/** Linux's sun_path holds 108 bytes, the last of them the terminating NUL. */
export const UNIX_SOCKET_PATH: SocketPathLimit = { bytes: 107, of: 'a unix socket path' };

/**
 * HAProxy binds a unix socket under a temporary name (PATH.PID.tmp) and
 * renames it into place, so it keeps 10 bytes of sun_path for the suffix:
 * "socket path '…' too long (max 97)", for stats and master sockets alike.
 */
export const HAPROXY_SOCKET_PATH: SocketPathLimit = { bytes: UNIX_SOCKET_PATH.bytes - 10, of: "HAProxy's unix socket paths" };

/** Why PATH cannot be a socket under LIMIT; undefined when it can. */
export function socketPathProblem(path: string, limit: SocketPathLimit): string | undefined {
  const bytes = Buffer.byteLength(path);
  return bytes > limit.bytes ? `the socket path ${path} is ${bytes} bytes, over the ${limit.bytes}-byte limit of ${limit.of}` : undefined;
}
