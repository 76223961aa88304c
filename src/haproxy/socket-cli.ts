import { connect } from 'node:net';

/**
 * One command on an HAProxy unix socket: send it, read until HAProxy
 * closes the connection. The admin socket closes by itself after a command,
 * and must not see our end of input early: it stops a long dump (show
 * table) when the client has gone. The master CLI, on the contrary, answers
 * and closes only once it sees the end of input, so it gets a half-close.
 */
export function socketCommand(socketPath: string, command: string, timeoutMs = 5000, options: { halfClose?: boolean; payload?: string } = {}): Promise<string> {
  if (/[\n\r]/.test(command)) return Promise.reject(new Error('an HAProxy CLI command is one line'));
  const payload = options.payload === undefined ? undefined : payloadLines(options.payload);
  if (payload === null) return Promise.reject(new Error('an HAProxy CLI payload has no empty line: one ends it'));
  // A payload follows "<<" and ends at the first empty line.
  const text = payload === undefined ? `${command}\n` : `${command} <<\n${payload}\n\n`;
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath);
    let out = '';
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error(`no answer from ${socketPath} to "${command}" in ${timeoutMs} ms`)));
    sock.on('connect', () => (options.halfClose ? sock.end(text) : sock.write(text)));
    sock.on('data', (d) => (out += d.toString('utf8')));
    sock.on('end', () => resolve(out));
    sock.on('error', reject);
  });
}

/** TEXT as a payload's lines: trailing line breaks dropped; null when an empty line inside would end it early. */
function payloadLines(text: string): string | null {
  const lines = text.replace(/\r/g, '').replace(/\n+$/, '');
  return lines.split('\n').some((l) => l === '') ? null : lines;
}

/** A command on a master CLI (`haproxy -W -S`). */
export function masterCommand(socketPath: string, command: string, timeoutMs = 5000): Promise<string> {
  return socketCommand(socketPath, command, timeoutMs, { halfClose: true });
}
