import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { CookieJar } from './cookie-jar.js';

/** One request of the drill client, as it saw it. */
export interface Answer {
  /** HTTP 200 with a JSON body. */
  ok: boolean;
  status: number | null;
  /** The app's X-Served-By header: which web node answered. */
  servedBy: string | null;
  /** The favorite color the session held, as the app reported it. */
  color: string | null;
  /** The session the app served this request from (PHP makes a new one for an id it does not know). */
  sessionId: string | null;
  ms: number;
  error?: string;
}

const stringOrNull = (v: unknown) => (typeof v === 'string' ? v : null);

/**
 * GET /api/session, or POST it with a color: what a browser does on the
 * session test page, with the client's own cookies. Never throws: a failed
 * request is one of the facts the drill reports.
 */
export function sessionRequest(site: string, jar: CookieJar, color?: string, timeoutMs = 10_000): Promise<Answer> {
  const body = color === undefined ? undefined : new URLSearchParams({ color }).toString();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  const cookie = jar.header();
  if (cookie !== undefined) headers.cookie = cookie;
  const t0 = performance.now();
  const failed = (error: string, status: number | null = null, servedBy: string | null = null): Answer => ({
    ok: false,
    status,
    servedBy,
    color: null,
    sessionId: null,
    ms: performance.now() - t0,
    error,
  });

  return new Promise((resolve) => {
    // agent: false is a new connection per request, so lb-web balances each
    // one on its own and a reload's old worker never holds a kept-alive one.
    const req = request(new URL('/api/session', site), { method: body === undefined ? 'GET' : 'POST', headers, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (err) => resolve(failed(err.message)));
      res.on('end', () => {
        jar.store(res.headers['set-cookie'] ?? []);
        const header = res.headers['x-served-by'];
        const servedBy = typeof header === 'string' ? header : null;
        const status = res.statusCode ?? 0;
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return resolve(failed(`HTTP ${status}: not JSON: ${text.slice(0, 200)}`, status, servedBy));
        }
        const answer = parsed as { color?: unknown; session_id?: unknown; error?: unknown };
        if (status !== 200) return resolve(failed(`HTTP ${status}: ${String(answer.error ?? text.slice(0, 200))}`, status, servedBy));
        resolve({ ok: true, status, servedBy, color: stringOrNull(answer.color), sessionId: stringOrNull(answer.session_id), ms: performance.now() - t0 });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', (err) => resolve(failed(err.message)));
    req.end(body);
  });
}
