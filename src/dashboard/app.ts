import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import { streamSSE } from 'hono/streaming';
import { HactlError, EXIT } from '../errors.js';
import type { Project } from '../ops/project.js';
import type { Runtime } from '../spec/model.js';
import type { Runner } from '../util/runner.js';
import type { ClientNetworks } from './client-networks.js';
import { credentialsMatch, type Credentials } from './credentials.js';
import type { LiveFeed } from './live.js';
import { LoginLimiter } from './login-limiter.js';
import { operations, type Operation } from './operations.js';
import type { ServedAs } from './served-as.js';
import { csrfValid, SessionStore, type Session } from './sessions.js';
import type { DashboardSnapshot, Problem } from './snapshot-model.js';
import type { StaticFiles } from './static-files.js';

export const SESSION_COOKIE = 'hactl_session';

export interface AppDeps {
  project: Project;
  runtime: Runtime | undefined;
  runner: Runner;
  credentials: Credentials;
  networks: ClientNetworks;
  servedAs: ServedAs;
  feed: LiveFeed<DashboardSnapshot>;
  files: StaticFiles;
  /** Served over HTTPS: the session cookie is Secure. */
  secure?: boolean;
}

type Env = { Variables: { session: Session; body: Record<string, unknown> } };

/** An error as the page shows it: 400 for bad input with each field's message, 409 when the cluster refused. */
export function errorResponse(err: unknown): { status: 400 | 409 | 500; body: { error: Problem & { fields: Record<string, string> } } } {
  if (err instanceof HactlError) {
    const fields: Record<string, string> = {};
    // Validation lines end "web[2].cookie: message": the dialog puts each message by its field.
    for (const line of [err.message, ...err.details]) {
      const m = /(?:^|\s)(?:web|db)\[\d+\]\.(\w+): (.*)$/.exec(line) ?? /^(\w+): (.*)$/.exec(line);
      if (m && fields[m[1]!] === undefined) fields[m[1]!] = m[2]!;
    }
    return { status: err.exitCode === EXIT.badInput ? 400 : 409, body: { error: { message: err.message, details: err.details, fields } } };
  }
  process.stderr.write(`dashboard: ${(err as Error).stack ?? String(err)}\n`);
  return { status: 500, body: { error: { message: `internal error: ${(err as Error).message}`, details: [], fields: {} } } };
}

/**
 * The largest request body read: a login or a form is a few hundred bytes.
 * Without a limit, three 300 MB logins took the dashboard from 80 MB to 1.5 GB.
 */
export const MAX_BODY_BYTES = 8 * 1024;

const fail = (c: Context, status: 401 | 403 | 404 | 413 | 429, message: string) => c.json({ error: { message, details: [], fields: {} } }, status);

/** Methods that change nothing: every other one must come from the dashboard's own page, or from no page at all. */
const SAFE_METHODS = new Set(['GET', 'HEAD']);

export function createApp(deps: AppDeps): Hono<Env> {
  const { feed, files } = deps;
  const sessions = new SessionStore();
  const limiter = new LoginLimiter();
  const app = new Hono<Env>();
  const remote = (c: Context) => getConnInfo(c).remote.address ?? '';

  // First of all, so that a rebinding page's requests reach nothing, the login limiter least of all:
  // its failed logins would lock the administrator out.
  app.use('*', async (c, next) => {
    const host = c.req.header('host');
    if (!deps.servedAs.host(host)) {
      return c.text(`Misdirected request: this dashboard is not served as ${JSON.stringify(host ?? '')} (hactl dashboard --host-name NAME adds a name)\n`, 421);
    }
    // A browser sends Origin with every change; Referer is the fallback of older ones. Tools send neither.
    const from = c.req.header('origin') ?? c.req.header('referer');
    if (!SAFE_METHODS.has(c.req.method) && from !== undefined && !deps.servedAs.page(from)) {
      return fail(c, 403, `refused: this request was sent by a page of another site (${from})`);
    }
    await next();
  });
  app.use('*', async (c, next) => {
    if (!deps.networks.allows(remote(c))) return c.text('Forbidden: your address is not among the dashboard\'s allowed networks\n', 403);
    await next();
  });
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
      },
      referrerPolicy: 'no-referrer',
      xFrameOptions: 'DENY',
      // Plain HTTP on loopback: HSTS would only confuse a browser that later meets this host over HTTPS.
      strictTransportSecurity: false,
    }),
  );

  app.get('/', async (c) => {
    const session = sessions.get(getCookie(c, SESSION_COOKIE));
    if (!session) return files.page(c, undefined);
    // Without a snapshot (a read that failed) the page asks for one itself.
    const snapshot = await feed.current().catch(() => undefined);
    return files.page(c, { csrf: session.csrf, snapshot });
  });
  app.get('/favicon.ico', (c) => c.body(null, 204));
  app.get('/assets/:file', (c) => files.serve(c, c.req.param('file')));

  // The rest of an oversized body is never kept: @hono/node-server discards what comes in
  // for half a second after the answer (a lingering close, as nginx does) and then
  // closes. Closing at once would reset the connection under a client still sending,
  // and a reset can throw away the 413 before the client has read it.
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => fail(c, 413, `request body too large: at most ${MAX_BODY_BYTES} bytes`),
  });

  /** A login counts from its start, before its body is read; it is settled when answered (only a 200 is a success). */
  const loginAttempt = async (c: Context, next: () => Promise<void>) => {
    const address = remote(c);
    const attempt = limiter.start(address);
    if ('retryAfterS' in attempt) {
      c.header('Retry-After', String(attempt.retryAfterS));
      return fail(c, 429, `too many failed logins from ${address}; try again in ${attempt.retryAfterS} s`);
    }
    try {
      await next();
    } finally {
      attempt.settle(c.res.status === 200);
    }
  };

  app.post('/api/login', loginAttempt, limitBody, async (c) => {
    const body = (await c.req.json().catch(() => undefined)) as { user?: unknown; password?: unknown } | undefined;
    if (!credentialsMatch(deps.credentials, body?.user, body?.password)) return fail(c, 401, 'wrong user name or password');
    const session = sessions.create(deps.credentials.user);
    setCookie(c, SESSION_COOKIE, session.id, { httpOnly: true, sameSite: 'Strict', path: '/', secure: deps.secure === true });
    return c.json({ user: session.user, csrf: session.csrf });
  });

  // Everything else under /api needs a session; everything that changes state, its CSRF token too.
  app.use('/api/*', async (c, next) => {
    const session = sessions.get(getCookie(c, SESSION_COOKIE));
    if (!session) return fail(c, 401, 'log in first');
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && !csrfValid(session, c.req.header('x-csrf-token'))) {
      return fail(c, 403, 'missing or wrong CSRF token (reload the page)');
    }
    c.set('session', session);
    await next();
  });
  // Every route below reads its body, if at all, only after the session and CSRF checks above.
  app.use('*', limitBody);
  // Every POST takes a JSON object, or no body at all (Reload, Test…: an empty form): anything else is refused, not ignored.
  app.use('*', async (c, next) => {
    let body: unknown = {};
    const raw = c.req.method === 'POST' ? await c.req.text() : '';
    if (raw.trim() !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      return c.json({ error: { message: 'the request body must be a JSON object (or empty)', details: [], fields: {} } }, 400);
    }
    c.set('body', body as Record<string, unknown>);
    await next();
  });

  app.get('/api/session', (c) => c.json({ user: c.var.session.user, csrf: c.var.session.csrf }));
  app.post('/api/logout', (c) => {
    sessions.destroy(c.var.session.id);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.json({ ok: true });
  });
  const snapshot = async (c: Context, read: () => Promise<DashboardSnapshot>) => {
    try {
      return c.json(await read());
    } catch (err) {
      const { status, body } = errorResponse(err);
      return c.json(body, status);
    }
  };
  app.get('/api/status', (c) => snapshot(c, () => feed.current()));
  app.post('/api/refresh', (c) => snapshot(c, () => feed.refresh()));

  app.get('/api/events', (c) =>
    streamSSE(c, async (stream) => {
      let open = true;
      const unsubscribe = feed.subscribe((event, data) => {
        if (open) void stream.writeSSE({ event, data }).catch(() => undefined);
      });
      stream.onAbort(() => {
        open = false;
        unsubscribe();
      });
      // A comment now and then keeps proxies and idle timeouts from closing a quiet stream.
      while (open) {
        // Unref'd: a waiting stream must not keep a stopped dashboard alive for 15 s.
        await new Promise((r) => setTimeout(r, 15_000).unref());
        if (open) await stream.write(': keep-alive\n\n').catch(() => undefined);
      }
    }),
  );

  for (const op of operations({ project: deps.project, runtime: deps.runtime, runner: deps.runner })) {
    app.on(op.method, op.path, (c) => run(c, op));
  }

  /** One operation: its progress to every open page, its result to the caller, the new state read at once. */
  async function run(c: Context<Env>, op: Operation): Promise<Response> {
    const id = Math.random().toString(36).slice(2, 10);
    const body = c.var.body;
    const label = op.label(c.req.param(), body);
    const progress = (step: string, detail?: string) => feed.publish('progress', { id, op: label, step, detail: detail ?? '', at: Date.now() });
    const announce = (state: 'started' | 'done' | 'failed', message?: string) => feed.publish('op', { id, op: label, state, ...(message ? { message } : {}), at: Date.now() });
    /** A change's outcome, then the state it left, to every page before the caller hears. */
    const settle = async (state: 'done' | 'failed', message?: string) => {
      if (!op.changes) return;
      announce(state, message);
      await feed.refresh().catch(() => undefined);
    };
    if (op.changes) announce('started');
    try {
      const result = await op.run({ params: c.req.param(), query: c.req.query(), body, actor: { user: c.var.session.user, command: `dashboard: ${label}` } }, progress);
      await settle('done');
      return typeof result === 'string' ? c.text(result) : c.json({ op: label, result });
    } catch (err) {
      const { status, body: errBody } = errorResponse(err);
      await settle('failed', errBody.error.message);
      return c.json(errBody, status);
    }
  }

  app.notFound((c) => fail(c, 404, `no such page: ${c.req.path}`));
  return app;
}
