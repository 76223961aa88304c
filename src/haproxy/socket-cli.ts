import { connect } from 'node:net';

/**
 * One command on an HAProxy unix socket (the admin socket or the master
 * CLI): send it, read until HAProxy closes the connection.
 */
export function socketCommand(socketPath: string, command: string, timeoutMs = 5000): Promise<string> {
  if (/[\n\r]/.test(command)) return Promise.reject(new Error('an HAProxy CLI command is one line'));
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath);
    let out = '';
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error(`no answer from ${socketPath} to "${command}" in ${timeoutMs} ms`)));
    // Half-close after the command: the master CLI answers, then closes, only once it sees the end of input.
    sock.on('connect', () => sock.end(`${command}\n`));
    sock.on('data', (d) => (out += d.toString('utf8')));
    sock.on('end', () => resolve(out));
    sock.on('error', reject);
  });
}
