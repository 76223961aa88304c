import { connect } from 'node:net';
import { get, type IncomingHttpHeaders } from 'node:http';
import { sleep } from './poll.js';

/** Whether something accepts TCP connections on HOST:PORT. */
export function tcpOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return accepts({ host, port }, timeoutMs);
}

/** Whether a program listens on the Unix socket PATH: a socket file left by a killed one refuses. */
export function socketOpen(path: string, timeoutMs = 500): Promise<boolean> {
  return accepts({ path }, timeoutMs);
}

/** Whether HOST:PORT accepts a connection and sends something first (a MariaDB greeting), within TIMEOUT_MS. */
export function tcpGreets(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return accepts({ host, port }, timeoutMs, 'data');
}

function accepts(target: { host: string; port: number } | { path: string }, timeoutMs: number, until: 'connect' | 'data' = 'connect'): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(target);
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once(until, () => done(true));
    sock.on('error', () => done(false));
    sock.on('end', () => done(false));
  });
}

/** A memcached node's answer to COMMAND (text protocol) once ENDS says it is whole, or throws with why not. */
function memcachedAsk(host: string, port: number, command: string, ends: (text: string) => boolean, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port });
    let text = '';
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    sock.on('connect', () => sock.write(`${command}\r\n`));
    sock.on('data', (d) => {
      text += d.toString('latin1');
      if (!ends(text) && !/^(ERROR|CLIENT_ERROR|SERVER_ERROR)/.test(text)) return;
      sock.end('quit\r\n');
      resolve(text);
    });
    sock.on('error', reject);
  });
}

/** What a memcached node at HOST:PORT says to "version" (VERSION 1.6.18), or throws with why not. */
export async function memcachedVersion(host: string, port: number, timeoutMs = 1000): Promise<string> {
  const line = (await memcachedAsk(host, port, 'version', (t) => t.includes('\r\n'), timeoutMs)).split('\r\n')[0]!;
  if (!line.startsWith('VERSION ')) throw new Error(`unexpected answer: ${line.slice(0, 80)}`);
  return line;
}

/** A memcached node's counters ("stats": STAT name value), by name. */
export async function memcachedStats(host: string, port: number, timeoutMs = 1000): Promise<Record<string, number>> {
  const text = await memcachedAsk(host, port, 'stats', (t) => t.endsWith('END\r\n'), timeoutMs);
  return Object.fromEntries([...text.matchAll(/^STAT (\S+) (\d+)\r$/gm)].map((m) => [m[1]!, Number(m[2])]));
}

/** The status of GET URL, or undefined when nothing answered. */
export function httpStatus(url: string, timeoutMs = 1000): Promise<number | undefined> {
  return httpGet(url, timeoutMs).then(
    (r) => r.status,
    () => undefined,
  );
}

/** GET URL on a connection of its own (no keep-alive pool to leave behind): status and headers. */
export function httpGet(url: string, timeoutMs = 3000): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
  });
}

/**
 * Asks ANSWERS every INTERVAL ms from now on; stop() gives the longest run
 * of time it did not answer, in ms (0: it always did). stop() first waits,
 * up to WAIT ms (10 s), for an answer, so a run still under way is counted whole.
 */
export function watchOutage(answers: () => Promise<boolean>, intervalMs = 20): { stop(waitMs?: number): Promise<number> } {
  let down: number | undefined;
  let longest = 0;
  let giveUpAt: number | undefined;
  const loop = (async () => {
    for (;;) {
      const t = Date.now();
      if (!(await answers().catch(() => false))) down ??= t;
      else if (down !== undefined) {
        longest = Math.max(longest, t - down);
        down = undefined;
      }
      if (giveUpAt !== undefined && (down === undefined || Date.now() > giveUpAt)) return;
      await sleep(intervalMs);
    }
  })();
  return {
    async stop(waitMs = 10_000) {
      giveUpAt = Date.now() + waitMs;
      await loop;
      return down === undefined ? longest : Math.max(longest, Date.now() - down);
    },
  };
}

