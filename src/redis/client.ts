import { connect } from 'node:net';

/** One reply of Redis's protocol (RESP2): a status or error line, a number, a string, or an array of replies. */
export type RespValue = string | number | null | RespError | RespValue[];

export class RespError {
  constructor(readonly message: string) {}
}

/** A command as an array of bulk strings: a password needs no escaping. */
export function encodeCommand(words: readonly string[]): string {
  return `*${words.length}\r\n${words.map((w) => `$${Buffer.byteLength(w)}\r\n${w}\r\n`).join('')}`;
}

/** The first whole reply at AT in TEXT (read as latin1) and where the next begins, or undefined while more is to come. */
export function parseReply(text: string, at = 0): { value: RespValue; next: number } | undefined {
  const eol = text.indexOf('\r\n', at);
  if (eol < 0) return undefined;
  const line = text.slice(at + 1, eol);
  const after = eol + 2;
  switch (text[at]) {
    case '+':
      return { value: line, next: after };
    case '-':
      return { value: new RespError(line), next: after };
    case ':':
      return { value: Number(line), next: after };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, next: after };
      // TEXT is latin1: one character per byte.
      if (text.length - after < length + 2) return undefined;
      return { value: text.slice(after, after + length), next: after + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next: after };
      const items: RespValue[] = [];
      let next = after;
      for (let i = 0; i < count; i++) {
        const item = parseReply(text, next);
        if (!item) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`not a Redis reply: ${JSON.stringify(text.slice(at, at + 40))}`);
  }
}

/**
 * Log in to the Redis node or Sentinel at HOST:PORT with PASSWORD and send
 * COMMAND: its reply, or throws with why not (a refused login, a
 * connection that fails, no answer within TIMEOUT_MS).
 */
export function redisCommand(host: string, port: number, password: string, command: readonly string[], timeoutMs = 2000): Promise<RespValue> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port });
    let text = '';
    sock.setEncoding('latin1');
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    sock.on('connect', () => sock.write(encodeCommand(['AUTH', password]) + encodeCommand(command)));
    sock.on('data', (d: string) => {
      text += d;
      try {
        const login = parseReply(text);
        if (!login) return;
        if (login.value instanceof RespError) throw new Error(`refused: ${login.value.message}`);
        const reply = parseReply(text, login.next);
        if (!reply) return;
        sock.end(encodeCommand(['QUIT']));
        if (reply.value instanceof RespError) throw new Error(reply.value.message);
        resolve(reply.value);
      } catch (err) {
        sock.destroy();
        reject(err as Error);
      }
    });
    sock.on('error', reject);
  });
}
