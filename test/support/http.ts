import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON (throws with the body in the message if it is not). */
  json<T = Record<string, unknown>>(): T;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  /** Sent as application/json. */
  json?: unknown;
  /** Sends its cookies and stores the ones the answer sets. */
  jar?: CookieJar;
  /** Source address of the connection, e.g. 127.0.0.5 to look like another client. */
  localAddress?: string;
  timeoutMs?: number;
  /** A keep-alive agent to reuse connections; by default each request has its own. */
  agent?: Agent;
}

/**
 * A small HTTP client for tests, on node:http rather than fetch: it can pick
 * the source address, never follows redirects, and shows raw headers.
 */
export function request(url: string, options: HttpOptions = {}): Promise<HttpResponse> {
  const body = options.form ? new URLSearchParams(options.form).toString() : options.json !== undefined ? JSON.stringify(options.json) : undefined;
  const headers: Record<string, string> = { ...options.headers };
  if (body !== undefined) headers['content-type'] = options.form ? 'application/x-www-form-urlencoded' : 'application/json';
  const cookie = options.jar?.header();
  if (cookie) headers.cookie = cookie;

  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: options.method ?? (body === undefined ? 'GET' : 'POST'),
        headers,
        localAddress: options.localAddress,
        timeout: options.timeoutMs ?? 20_000,
        // Node 20's global agent keeps connections alive: a "new" client would reuse
        // one still held by the balancer's previous worker after a reload.
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          options.jar?.store(res.headers['set-cookie'] ?? []);
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text,
            json<T>() {
              try {
                return JSON.parse(text) as T;
              } catch {
                throw new Error(`not JSON (HTTP ${res.statusCode}): ${text.slice(0, 500)}`);
              }
            },
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Keeps name=value of each Set-Cookie; enough for one host in tests. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();
  /** The raw Set-Cookie lines seen, to check attributes. */
  readonly setCookieLines: string[] = [];

  store(lines: string[]): void {
    for (const line of lines) {
      this.setCookieLines.push(line);
      const pair = line.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  header(): string | undefined {
    return this.cookies.size === 0 ? undefined : [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}
