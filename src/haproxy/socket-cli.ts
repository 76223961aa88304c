import { connect } from 'node:net';

/**
 * One command on an HAProxy unix socket: send it, read until HAProxy
 * closes the connection. The admin socket closes by itself after a command,
 * and must not see our end of input early: it stops a long dump (show
 * table) when the client has gone. The master CLI, on the contrary, answers
 * and closes only once it sees the end of input, so it gets a half-close.
 */
export function socketCommand(socketPath: string, command: string, timeoutMs = 5000, options: { halfClose?: boolean } = {}): Promise<string> {
  if (/[\n\r]/.test(command)) return Promise.reject(new Error('an HAProxy CLI command is one line'));
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath);
    let out = '';
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error(`no answer from ${socketPath} to "${command}" in ${timeoutMs} ms`)));
    sock.on('connect', () => (options.halfClose ? sock.end(`${command}\n`) : sock.write(`${command}\n`)));
    sock.on('data', (d) => (out += d.toString('utf8')));
    sock.on('end', () => resolve(out));
    sock.on('error', reject);
  });
}

/** A command on a master CLI (`haproxy -W -S`). */
export function masterCommand(socketPath: string, command: string, timeoutMs = 5000): Promise<string> {
  return socketCommand(socketPath, command, timeoutMs, { halfClose: true });
}
