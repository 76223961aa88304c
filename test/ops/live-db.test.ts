import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { readState } from '../../src/drivers/local/state.js';
import { socketCommand } from '../../src/haproxy/socket-cli.js';
import { parseShowStat } from '../../src/haproxy/stat.js';
import { eventually, sleep, TestCluster } from '../support/cluster.js';

// The DB tier's live operations on a running local cluster (addresses
// 127.0.3.1, 127.0.13.x, 127.0.23.x only), under steady writes through lb-db.
const cluster = new TestCluster(3, { sessionMode: 'db' });
const yaml = () => readFileSync(join(cluster.dir, 'cluster.yaml'), 'utf8');
const lbDb = async () =>
  new Map(parseShowStat(await socketCommand(join(cluster.dir, '.hactl/run/lb-db.sock'), 'show stat')).filter((r) => r.type === '2').map((r) => [r.svname!, r]));

/** Writes one row at a time through lb-db (a new connection each, like the PHP app) and keeps every acknowledged id. */
function startWriter() {
  const acked: number[] = [];
  const errors: string[] = [];
  let running = true;
  let last = Date.now();
  let longestGapMs = 0;
  const loop = (async () => {
    while (running) {
      let conn: Awaited<ReturnType<typeof cluster.app>> | undefined;
      try {
        conn = await cluster.app();
        const [r] = await conn.query<{ insertId: number } & RowDataPacket[]>('INSERT INTO drill_writes (v) VALUES (?)', [`w${acked.length}`]);
        acked.push((r as unknown as { insertId: number }).insertId);
        const now = Date.now();
        longestGapMs = Math.max(longestGapMs, now - last);
        last = now;
      } catch (err) {
        errors.push((err as Error).message);
        await sleep(20);
      } finally {
        await conn?.end().catch(() => undefined);
      }
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { acked, errors, longestGapMs };
    },
  };
}

async function tableOn(node: string): Promise<{ count: number; checksum: string; ids: Set<number> }> {
  const conn = await cluster.root(node);
  try {
    const [[sum]] = await conn.query<RowDataPacket[]>('CHECKSUM TABLE drill_writes');
    const [rows] = await conn.query<RowDataPacket[]>('SELECT id FROM drill_writes');
    return { count: rows.length, checksum: String(sum!.Checksum), ids: new Set(rows.map((r) => Number(r.id))) };
  } finally {
    await conn.end();
  }
}

async function settledTables(nodes: string[]) {
  return eventually(`identical tables on ${nodes.join(', ')}`, async () => {
    const tables = await Promise.all(nodes.map(tableOn));
    return tables.every((t) => t.checksum === tables[0]!.checksum && t.count === tables[0]!.count) ? tables : undefined;
  }, 20_000);
}

beforeAll(async () => {
  await cluster.startHealthy();
  const conn = await cluster.app();
  await conn.query('CREATE TABLE drill_writes (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20) NOT NULL)');
  await conn.query("INSERT INTO drill_writes (v) VALUES ('before')");
  await conn.end();
}, 120_000);
afterAll(() => cluster.destroy(), 60_000);

describe('up and replication', () => {
  it('starts again a replication connection stopped by hand: the plan says why, and nothing else runs', async () => {
    const conn = await cluster.root('mysql2');
    try {
      await conn.query("STOP SLAVE 'mysql1'");
      const plan = await cluster.hactl('plan', '--json');
      const { actions } = JSON.parse(plan.stdout) as { actions: { kind: string; reason: string }[] };
      expect(actions.map((a) => a.kind)).toEqual(['replicate']);
      expect(actions[0]!.reason).toBe('mysql2 does not replicate from mysql1 (IO No, SQL No)');
      const up = await cluster.hactl('up');
      expect(up.code, up.stderr).toBe(0);
      const [[link]] = await conn.query<RowDataPacket[]>("SHOW SLAVE 'mysql1' STATUS");
      expect([link!.Slave_IO_Running, link!.Slave_SQL_Running]).toEqual(['Yes', 'Yes']);
      expect(JSON.parse((await cluster.hactl('plan', '--json')).stdout).actions).toEqual([]);
    } finally {
      await conn.end();
    }
  }, 60_000);
});

describe('add db', () => {
  it('clones mysql3 from a live master while writes go on: no write lost, every master identical, mysql3 a backup in lb-db', async () => {
    const writer = startWriter();
    await sleep(500);
    const r = await cluster.hactl('add', 'db', 'mysql3', '--json');
    await sleep(500);
    const { acked, errors } = await writer.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/mysql3: cloning hactl from mysql2 at its GTID position/);
    expect(errors).toEqual([]);
    expect(acked.length).toBeGreaterThan(20);
    const [t1, , t3] = await settledTables(['mysql1', 'mysql2', 'mysql3']);
    for (const id of acked) expect(t1!.ids.has(id)).toBe(true);
    expect(t3!.count).toBe(acked.length + 1);
    expect(yaml()).toMatch(/db: \[mysql1, mysql2, mysql3\]/);
    expect((await lbDb()).get('mysql3')?.bck).toBe('1');
    // Right after the reload its first check may still be pending ("UP 1/2").
    await eventually('mysql3 UP in lb-db', async () => (await lbDb()).get('mysql3')?.status === 'UP');
  }, 120_000);

  it('makes mysql3 a full master: its own writes reach the others, with keys of its own (auto_increment offset 3)', async () => {
    const conn = await cluster.root('mysql3');
    const [[vars]] = await conn.query<RowDataPacket[]>('SELECT @@server_id AS id, @@auto_increment_increment AS inc, @@auto_increment_offset AS off, @@gtid_domain_id AS domain');
    expect(vars).toEqual({ id: 3, inc: 10, off: 3, domain: 3 });
    const [r] = await conn.query("INSERT INTO drill_writes (v) VALUES ('from3')");
    const id = (r as { insertId: number }).insertId;
    await conn.end();
    expect(id % 10).toBe(3);
    const tables = await settledTables(['mysql1', 'mysql2', 'mysql3']);
    for (const t of tables) expect(t.ids.has(id)).toBe(true);
    const status = JSON.parse((await cluster.hactl('status', '--json')).stdout);
    const m3 = status.nodes.find((n: { name: string }) => n.name === 'mysql3');
    expect(m3.replication.map((l: { from: string }) => l.from).sort()).toEqual(['mysql1', 'mysql2']);
    expect(m3.replication_summary).toBe('Synced');
  }, 60_000);
});

/** lb-db's writer entry (the master every connection goes to), as its runtime API shows it. */
async function writerEntry(): Promise<string | undefined> {
  const table = await socketCommand(join(cluster.dir, '.hactl/run/lb-db.sock'), 'show table mariadb');
  return / server_key=(\S+)/.exec(table)?.[1];
}

interface DbJson {
  name: string;
  role: string;
  read_only: boolean | null;
  reason: string | null;
  status: string;
}
const dbNodes = async (): Promise<DbJson[]> => JSON.parse((await cluster.hactl('status', '--json')).stdout).nodes.filter((n: { type: string }) => n.type === 'db');

describe('switchover', () => {
  it('moves the writes to mysql2 under steady writes: the pause printed, no acknowledged write lost, only read-only refusals meanwhile', async () => {
    const writer = startWriter();
    await sleep(500);
    const r = await cluster.hactl('switchover', 'mysql2', '--json');
    await sleep(500);
    const { acked, errors, longestGapMs } = await writer.stop();
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { from: string; to: string; moved: boolean; pause_ms: number };
    expect(result).toMatchObject({ from: 'mysql1', to: 'mysql2', moved: true });
    expect(result.pause_ms).toBeLessThan(1000);
    // As the client saw it too: never a second without an acknowledged write.
    expect(longestGapMs, errors.join('\n')).toBeLessThan(1000);
    expect(r.stderr).toMatch(/mysql2: writable: writes resume \(paused \d+ ms\)/);
    // Refused read-only during the pause, or cut when lb-db ended the old writer's connections: never acknowledged.
    for (const e of errors) expect(e).toMatch(/read-only|Connection lost/);
    const tables = await settledTables(['mysql1', 'mysql2', 'mysql3']);
    for (const t of tables) for (const id of acked) expect(t.ids.has(id)).toBe(true);
    expect(await writerEntry()).toBe('mysql2');
    // A connection of the app's opened on the old writer (pooled, or made before the move) cannot write there.
    const stale = await cluster.appOn('mysql1');
    await expect(stale.query("INSERT INTO drill_writes (v) VALUES ('stale')")).rejects.toThrow(/read-only/);
    await stale.end();
    const nodes = await dbNodes();
    expect(nodes.map((n) => [n.name, n.role, n.read_only])).toEqual([
      ['mysql1', 'backup', true],
      ['mysql2', 'active', false],
      ['mysql3', 'backup', true],
    ]);
  }, 60_000);

  it('keeps the writer across 10 reloads of lb-db (its peer hands the entry over): every write lands on mysql2', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await cluster.hactl('reload');
      expect(r.code, r.stderr).toBe(0);
      const conn = await cluster.app();
      const [[row]] = await conn.query<RowDataPacket[]>('SELECT @@report_host AS node');
      await conn.query("INSERT INTO drill_writes (v) VALUES ('reload')");
      await conn.end();
      expect(row!.node).toBe('mysql2');
    }
    expect(await writerEntry()).toBe('mysql2');
  }, 120_000);

  it('refuses (exit 2, nothing changed) a node that is unknown, the writer itself (nothing to do, exit 0), or not caught up', async () => {
    const unknown = await cluster.hactl('switchover', 'mysql9');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/there is no DB node named "mysql9"/);
    const same = await cluster.hactl('switchover', 'mysql2');
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/mysql2 already is the active master/);
    const m1 = await cluster.root('mysql1');
    try {
      await m1.query("STOP SLAVE 'mysql2' SQL_THREAD");
      // Its agent drains it at its next check (twice a second), with the reason.
      await eventually('mysql1 drained by its agent', async () => (await dbNodes()).find((n) => n.name === 'mysql1')?.reason?.startsWith('DRAIN: not replicating from mysql2'));
      const behind = await cluster.hactl('switchover', 'mysql1');
      expect(behind.code).toBe(2);
      expect(behind.stderr).toMatch(/mysql1 cannot take writes now: DRAIN: not replicating from mysql2 \(IO Yes, SQL No\)/);
      expect(await writerEntry()).toBe('mysql2');
    } finally {
      await m1.query("START SLAVE 'mysql2' SQL_THREAD");
      await m1.end();
    }
    await eventually('mysql1 back in lb-db', async () => (await dbNodes()).find((n) => n.name === 'mysql1')?.status === 'UP');
    const back = await cluster.hactl('switchover', 'mysql1', '--json');
    expect(back.code, back.stderr).toBe(0);
    expect(await writerEntry()).toBe('mysql1');
  }, 60_000);
});

describe('divergence', () => {
  it("shows a link an error stopped with MariaDB's error and the hint, and db resync rebuilds the backup from the active master under writes", async () => {
    const m1 = await cluster.root('mysql1');
    const m2 = await cluster.root('mysql2');
    try {
      await m1.query('CREATE TABLE IF NOT EXISTS diverge (id INT PRIMARY KEY, v VARCHAR(10))');
      await eventually('diverge on mysql2', async () => ((await m2.query<RowDataPacket[]>("SHOW TABLES LIKE 'diverge'"))[0].length === 1));
      // A row mysql2 alone has (not logged): mysql1's own row 7 then stops mysql2's SQL thread on a duplicate key.
      await m2.query('SET SESSION sql_log_bin = 0');
      await m2.query("INSERT INTO diverge VALUES (7, 'mysql2')");
      await m1.query("INSERT INTO diverge VALUES (7, 'mysql1')");
    } finally {
      await m1.end();
      await m2.end();
    }
    const status = await eventually('mysql2 down by its agent', async () => {
      const r = await cluster.hactl('status', '--json');
      const s = JSON.parse(r.stdout) as { health: string; health_reasons: string[]; nodes: DbJson[] };
      // mysql1's row reaches mysql2 from mysql1 and from mysql3 (log_slave_updates): either link may stop first.
      return /^DOWN: replication from mysql[13] stopped/.test(s.nodes.find((n) => n.name === 'mysql2')?.reason ?? '') ? { code: r.code, s } : undefined;
    });
    expect(status.code).toBe(3);
    expect(status.s.health_reasons.join('\n')).toMatch(/mysql2 is DOWN: replication from mysql[13] stopped: .*Duplicate entry '7' for key 'PRIMARY'.* \(hactl db resync mysql2 rebuilds it from the active master\)/);
    const refused = await cluster.hactl('db', 'resync', 'mysql1');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/mysql1 is the active master: it is what the others are rebuilt from/);

    const writer = startWriter();
    await sleep(300);
    const r = await cluster.hactl('db', 'resync', 'mysql2', '--json');
    await sleep(300);
    const { acked, errors } = await writer.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ node: 'mysql2', from: 'mysql1' });
    expect(errors).toEqual([]);
    const tables = await settledTables(['mysql1', 'mysql2', 'mysql3']);
    for (const t of tables) for (const id of acked) expect(t.ids.has(id)).toBe(true);
    const m2again = await cluster.root('mysql2');
    const [rows] = await m2again.query<RowDataPacket[]>('SELECT v FROM diverge WHERE id = 7');
    await m2again.end();
    expect(rows.map((x) => x.v)).toEqual(['mysql1']);
    await eventually('a healthy cluster again', async () => (await cluster.hactl('status')).code === 0, 15_000);
  }, 90_000);
});

describe('remove db', () => {
  it('refuses the active master and the last node without --force, changing nothing', async () => {
    const before = yaml();
    const r = await cluster.hactl('remove', 'db', 'mysql1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mysql1 is the active master .*--force moves the active role to mysql2 first/);
    expect(yaml()).toBe(before);
    expect((await lbDb()).get('mysql1')?.bck).toBe('0');
  });

  it('takes a backup master out of lb-db and of replication, then stops it', async () => {
    const r = await cluster.hactl('remove', 'db', 'mysql3');
    expect(r.code, r.stderr).toBe(0);
    // It runs, so the others first apply all it wrote (the plan knew it runs, though cluster.yaml no longer has it).
    expect(r.stderr).toMatch(/mysql3: waiting until every other master has applied its last writes/);
    expect((await lbDb()).has('mysql3')).toBe(false);
    expect(readState(join(cluster.dir, '.hactl')).mysql3).toBeUndefined();
    for (const node of ['mysql1', 'mysql2']) {
      const conn = await cluster.root(node);
      const [links] = await conn.query<RowDataPacket[]>('SHOW ALL SLAVES STATUS');
      await conn.end();
      expect(links.map((l) => l.Connection_name)).not.toContain('mysql3');
    }
    expect(existsSync(join(cluster.dir, '.hactl/data/mysql3'))).toBe(true);
  }, 60_000);

  it('adding mysql3 again clones it afresh: what the earlier mysql3 left is not taken for a copy', async () => {
    const conn = await cluster.app();
    await conn.query("INSERT INTO drill_writes (v) VALUES ('while3away')");
    await conn.end();
    const r = await cluster.hactl('add', 'db', 'mysql3');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/mysql3: removing what an earlier node of this name left behind/);
    expect(r.stderr).toMatch(/mysql3: cloning hactl from mysql2/);
    await settledTables(['mysql1', 'mysql2', 'mysql3']);
    expect((await cluster.hactl('remove', 'db', 'mysql3')).code).toBe(0);
    const cleaned = await cluster.hactl('clean');
    expect(cleaned.stdout).toMatch(/removed mysql3: .*data\/mysql3/);
    expect(existsSync(join(cluster.dir, '.hactl/data/mysql3'))).toBe(false);
  }, 60_000);

  it('with --force moves the active role first; writes go on without a loss', async () => {
    const writer = startWriter();
    await sleep(300);
    const r = await cluster.hactl('remove', 'db', 'mysql1', '--force');
    await sleep(500);
    const { acked, errors } = await writer.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/mysql2 is now the active master/);
    // A switchover first: writes pause (refused read-only) while mysql2 applies the last of mysql1's.
    expect(r.stderr).toMatch(/lb-db: move the writer from mysql1 to mysql2|mysql2: writable: writes resume/);
    for (const e of errors) expect(e).toMatch(/read-only|Connection lost/);
    const t2 = await tableOn('mysql2');
    for (const id of acked) expect(t2.ids.has(id)).toBe(true);
    const servers = await lbDb();
    expect([...servers.keys()]).toEqual(['mysql2']);
    expect(servers.get('mysql2')?.bck).toBe('0');
    // The last DB node cannot go, even with --force: it holds the app's data.
    const last = await cluster.hactl('remove', 'db', 'mysql2', '--force');
    expect(last.code).toBe(2);
    expect(last.stderr).toMatch(/mysql2 is the last DB node and holds the app's data: it cannot be removed, with or without --force/);
    expect((await lbDb()).get('mysql2')?.status).toBe('UP');
  }, 60_000);
});
