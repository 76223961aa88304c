import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CookieJar, request, type HttpOptions } from '../support/http.js';
import { startPhpApp, type PhpApp } from '../support/php-server.js';

let app: PhpApp;

beforeAll(async () => {
  app = await startPhpApp({ host: '127.0.1.102', name: 'web2' });
});
afterAll(async () => {
  await app?.stop();
});
beforeEach(async () => {
  await rm(visitorsFile(), { force: true });
  await app.writeSettings((s) => ({ ...s, trusted_proxies: ['127.0.0.1'] }));
});

const visitorsFile = () => join(app.settings.data_dir, 'visitors.jsonl');

interface VisitorsJson {
  node: string;
  visitors: Array<{ at: string; client: string; field: string; from: string | null; to: string; change: string }>;
}

async function visitors(): Promise<VisitorsJson['visitors']> {
  const answer = await request(`${app.url}/visitors?format=json`);
  expect(answer.status).toBe(200);
  return answer.json<VisitorsJson>().visitors;
}

function setColor(color: string, options: HttpOptions = {}) {
  return request(`${app.url}/api/session`, { ...options, form: { color } });
}

describe('/visitors', () => {
  it('lists what each visitor changed, newest first, as a page and as JSON', async () => {
    const jar = new CookieJar();
    await setColor('red', { jar });
    await setColor('blue', { jar });
    const list = await visitors();
    expect(list.map((v) => v.change)).toEqual(['color: red → blue', 'color: (none) → red']);
    expect(list[0]).toMatchObject({ client: '127.0.0.1', field: 'color', from: 'red', to: 'blue' });
    expect(Date.now() - Date.parse(list[0]!.at)).toBeLessThan(60_000);

    const page = await request(`${app.url}/visitors`);
    expect(page.body).toContain('Visitors of web2');
    expect(page.body).toMatch(/<td><code>127\.0\.0\.1<\/code><\/td><td>color: red → blue<\/td>.*color: \(none\) → red/s);
  });

  it('never shows session ids: an id is as good as the session', async () => {
    const jar = new CookieJar();
    await setColor('red', { jar });
    const id = jar.get('PHPSESSID')!;
    expect((await request(`${app.url}/visitors`)).body).not.toContain(id);
    expect(await readFile(visitorsFile(), 'utf8')).not.toContain(id);
  });

  it('takes the client from X-Forwarded-For only when it comes from a trusted proxy', async () => {
    await setColor('red', { headers: { 'x-forwarded-for': '203.0.113.7' } }); // from 127.0.0.1, trusted
    await setColor('red', { headers: { 'x-forwarded-for': '203.0.113.8' }, localAddress: '127.0.0.5' }); // untrusted
    // A client that forges the header itself: the trusted proxy appended the address it really saw.
    await setColor('red', { headers: { 'x-forwarded-for': '1.2.3.4, 198.51.100.9' } });
    expect((await visitors()).map((v) => v.client)).toEqual(['198.51.100.9', '127.0.0.5', '203.0.113.7']);
  });

  it('walks through a chain of trusted proxies, CIDR ranges and host names included', async () => {
    await app.writeSettings((s) => ({ ...s, trusted_proxies: ['localhost', '10.0.0.0/8'] }));
    await setColor('red', { headers: { 'x-forwarded-for': '203.0.113.7, 10.1.2.3' } });
    await app.writeSettings((s) => ({ ...s, trusted_proxies: ['127.0.0.0/30'] }));
    await setColor('red', { headers: { 'x-forwarded-for': '203.0.113.9, 10.1.2.3' } });
    await setColor('red', { headers: { 'x-forwarded-for': 'garbage, 127.0.0.2' } });
    expect((await visitors()).map((v) => v.client)).toEqual(['127.0.0.2', '10.1.2.3', '203.0.113.7']);
  });

  it('keeps the last 200 entries, and parallel writers lose none below that', async () => {
    const jar = new CookieJar();
    await request(`${app.url}/api/session`, { jar });
    for (let round = 0; round < 21; round++) {
      await Promise.all(Array.from({ length: 10 }, () => request(`${app.url}/api/session/counter`, { jar, method: 'POST' })));
    }
    const list = await visitors();
    // Rounds run one after another, so the 10 dropped entries are exactly those of the first round.
    expect(list.map((v) => Number(v.to)).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 11));
    expect(list.every((v) => v.change === `counter: ${Number(v.to) - 1} → ${v.to}`)).toBe(true);
    expect((await readFile(visitorsFile(), 'utf8')).trim().split('\n')).toHaveLength(200);
  });

  it('needs no DB: works in db mode with the DB down', async () => {
    await setColor('red');
    await app.writeSettings((s) => ({ ...s, session: { ...s.session, mode: 'db' } }));
    const jar = new CookieJar();
    jar.set('PHPSESSID', 'whatever123');
    const page = await request(`${app.url}/visitors`, { jar });
    expect(page.status).toBe(200);
    expect(page.body).toContain('color: (none) → red');
    expect(page.body).toContain('the session database (lb-db) is unavailable');
    await app.writeSettings((s) => ({ ...s, session: { ...s.session, mode: 'sticky' } }));
  });

  it('skips lines it cannot read instead of failing', async () => {
    await mkdir(app.settings.data_dir, { recursive: true });
    await writeFile(visitorsFile(), '{"at":1,"client":"x"}\nnot json\n');
    await setColor('red');
    expect((await visitors()).map((v) => v.change)).toEqual(['color: (none) → red']);
  });
});
