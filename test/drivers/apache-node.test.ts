import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readState } from '../../src/drivers/local/state.js';
import { groupAlive } from '../../src/drivers/local/supervisor.js';
import { procStat } from '../../src/util/proc-stat.js';
import { eventually, TestCluster } from '../support/cluster.js';

// A real local cluster whose web nodes are each a private Apache (prefork + mod_php),
// on this test's own loopback addresses (127.0.110.1, 127.0.120.n, 127.0.130.n).
const cluster = new TestCluster(110, { web: ['web1', 'web2'] });
const state = join(cluster.dir, '.hactl');
const WEB1 = 'http://127.0.120.1:8000';
const log = () => readFileSync(join(state, 'log', 'web1.log'), 'utf8');
const pgidOf = (node: string) => readState(state)[node]!.pid;

/** The live (not zombie) processes of group PGID, with their user ids. */
function members(pgid: number): { pid: number; uid: number }[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((p) => {
      const stat = procStat(p);
      if (stat?.pgrp !== pgid || stat.state === 'Z') return [];
      try {
        return [{ pid: Number(p), uid: statSync(`/proc/${p}`).uid }];
      } catch {
        return [];
      }
    });
}

/** One request as it is written, answered with its status line (Apache's own checks send HTTP/1.0 without a User-Agent). */
function raw(host: string, port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(port, host, () => socket.write(request));
    socket.on('data', (d) => (answer += String(d)));
    socket.on('end', () => resolve(answer.split('\r\n')[0]!));
    socket.on('error', reject);
  });
}

beforeAll(() => cluster.startHealthy(), 180_000);
afterAll(() => cluster.destroy(), 60_000);

describe('web nodes on Apache (local runtime)', () => {
  it('serve the app through lb-web and on their own address, each an apache2 group whose children drop root', async () => {
    const viaLb = await fetch(`${cluster.url}/`);
    expect(viaLb.status).toBe(200);
    expect(await viaLb.text()).toContain('Favorite color');
    const direct = await fetch(`${WEB1}/health`);
    expect(direct.status).toBe(200);
    expect(direct.headers.get('server')).toMatch(/^Apache\//);
    expect(direct.headers.get('x-served-by')).toBe('web1');
    const group = members(pgidOf('web1'));
    expect(readFileSync(`/proc/${pgidOf('web1')}/cmdline`, 'utf8').split('\0').slice(0, -1)).toEqual([
      '/usr/sbin/apache2',
      '-f',
      join(state, 'config', 'web1', 'httpd.conf'),
      '-DFOREGROUND',
    ]);
    expect(group.length).toBeGreaterThan(1);
    if (process.getuid?.() === 0) {
      // The master binds as root; the children serve as www-data (uid 33), who owns the node's data.
      expect(group.filter((p) => p.pid !== pgidOf('web1')).every((p) => p.uid === 33)).toBe(true);
      expect(statSync(join(state, 'data', 'web1', 'sessions')).uid).toBe(33);
      expect(statSync(join(state, 'config', 'web1', 'app.json')).uid).toBe(33);
    }
  });

  it("keeps a session on its node: PHP's session files are written by the children", async () => {
    const first = await fetch(`${cluster.url}/`);
    const cookies = first.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const node = first.headers.get('x-served-by')!;
    for (let i = 0; i < 3; i++) {
      const again = await fetch(`${cluster.url}/`, { headers: { cookie: cookies } });
      expect(again.headers.get('x-served-by')).toBe(node);
      expect(again.headers.getSetCookie().filter((c) => c.startsWith('PHPSESSID='))).toEqual([]);
    }
    expect(readdirSync(join(state, 'data', node, 'sessions')).some((f) => f.startsWith('sess_'))).toBe(true);
  });

  it("logs one line per request in the node's log, but not lb-web's checks nor Apache-style health checks", async () => {
    const before = log().length;
    await fetch(`${WEB1}/health`, { headers: { 'user-agent': 'hactl-test-visible' } });
    expect(await raw('127.0.120.1', 8000, 'GET /health HTTP/1.0\r\nHost: 127.0.120.1:8000\r\n\r\n')).toMatch(/ 200 /);
    expect(await raw('127.0.120.1', 8000, 'GET /health?x HTTP/1.0\r\nHost: 127.0.120.1:8000\r\nUser-Agent: hactl-test-second\r\n\r\n')).toMatch(/ 200 /);
    // lb-web checks every 250 ms: a second of them.
    await new Promise((r) => setTimeout(r, 1000));
    const added = log().slice(before).trim().split('\n');
    expect(added).toHaveLength(2);
    expect(added[0]).toMatch(/^127\.0\.0\.1 - - \[.*\] "GET \/health HTTP\/1\.1" 200 \d+ "-" "hactl-test-visible"$/);
    expect(added[1]).toContain('"hactl-test-second"');
  });

  it('dies whole on a kill -9 of its group, and starts again over the pid file it left', async () => {
    const pgid = pgidOf('web1');
    expect(members(pgid).length).toBeGreaterThan(1);
    await cluster.kill('web1');
    await eventually('no process of web1 left', async () => !groupAlive(pgid) && members(pgid).length === 0, 10_000);
    await expect(fetch(`${WEB1}/health`)).rejects.toThrow();
    const pidFile = join(state, 'run', 'web1.apache', 'httpd.pid');
    expect(existsSync(pidFile)).toBe(true);
    // Its pid taken by a live process, as after a reboot: Apache alone would refuse to start ("already running").
    writeFileSync(pidFile, `${process.pid}\n`);
    const r = await cluster.hactl('up', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).started).toEqual(['web1']);
    expect((await fetch(`${WEB1}/health`)).status).toBe(200);
    expect(readFileSync(pidFile, 'utf8').trim()).toBe(String(pgidOf('web1')));
  });

  it('is left alone by a second up', async () => {
    const r = await cluster.hactl('up', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ started: [], reloaded: [], written: [] });
  });
});
