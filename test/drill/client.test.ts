import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionRequest } from '../../src/drill/client.js';
import { CookieJar } from '../../src/drill/cookie-jar.js';

// A stand-in for lb-web + the app, on this test's own loopback address.
const HOST = '127.0.31.9';
const seen: { method: string; cookie: string | undefined; body: string }[] = [];
let server: Server;
let site: string;

const bodyOf = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => resolve(body));
  });

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await bodyOf(req);
    seen.push({ method: req.method!, cookie: req.headers.cookie, body });
    if (req.headers.cookie?.includes('mode=down')) {
      res.writeHead(503, { 'content-type': 'application/json', 'x-served-by': 'web2' }).end('{"error":"no server"}');
      return;
    }
    const color = new URLSearchParams(body).get('color');
    res.writeHead(200, { 'content-type': 'application/json', 'x-served-by': 'web1', 'set-cookie': ['PHPSESSID=s1; path=/', 'SERVERID=S1; path=/'] });
    res.end(JSON.stringify({ node: 'web1', session_id: 's1', color: color ?? (req.headers.cookie ? 'teal' : null) }));
  });
  await new Promise<void>((r) => server.listen(0, HOST, r));
  site = `http://${HOST}:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('sessionRequest', () => {
  it('POSTs the color as a form, keeps the cookies, sends them back, and reads X-Served-By and the color', async () => {
    const jar = new CookieJar();
    const set = await sessionRequest(site, jar, 'teal');
    expect(set).toMatchObject({ ok: true, status: 200, servedBy: 'web1', color: 'teal', sessionId: 's1' });
    expect(set.ms).toBeGreaterThan(0);
    expect(seen.at(-1)).toEqual({ method: 'POST', cookie: undefined, body: 'color=teal' });
    const read = await sessionRequest(site, jar);
    expect(read.color).toBe('teal');
    expect(seen.at(-1)).toEqual({ method: 'GET', cookie: 'PHPSESSID=s1; SERVERID=S1', body: '' });
  });

  it('never throws: an error answer and a refused connection are failed answers', async () => {
    const jar = new CookieJar();
    jar.store(['mode=down']);
    expect(await sessionRequest(site, jar)).toMatchObject({ ok: false, status: 503, servedBy: 'web2', color: null, error: 'HTTP 503: no server' });
    // Port 1 on our own address: nothing listens there.
    const refused = await sessionRequest(`http://${HOST}:1/`, new CookieJar());
    expect(refused).toMatchObject({ ok: false, status: null, servedBy: null });
    expect(refused.error).toMatch(/ECONNREFUSED/);
  });
});
