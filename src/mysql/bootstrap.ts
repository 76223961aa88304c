import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection } from 'mysql2/promise';
import { replicating, replicationConnections } from './replication-status.js';
import { PACKAGE_ROOT } from '../paths.js';
import type { Secrets } from '../secrets/store.js';
import { DB_CHECK_USER, REPLICATION_USER, type Cluster, type DbNode } from '../spec/model.js';

const SESSIONS_SQL = join(PACKAGE_ROOT, 'compose', 'web', 'app', 'sql', 'sessions.sql');

const ACCESS_DENIED = 1045;

/**
 * Root over the node's unix socket. A fresh data folder has a root without a
 * password (mariadb-install-db --auth-root-authentication-method=normal): the
 * first connection sets the generated one, so bootstrap works on a new node
 * and on one it has already seen.
 */
export async function connectRoot(socketPath: string, secrets: Secrets): Promise<Connection> {
  // Loaded when a DB node is asked (~60 ms): drain, weight and --help never are.
  const { default: mysql } = await import('mysql2/promise');
  const password = secrets.db_root_password.reveal();
  try {
    return await mysql.createConnection({ socketPath, user: 'root', password, multipleStatements: false });
  } catch (err) {
    if ((err as { errno?: number }).errno !== ACCESS_DENIED) throw err;
  }
  const conn = await mysql.createConnection({ socketPath, user: 'root', password: '' });
  await conn.query('SET SESSION sql_log_bin = 0');
  // The password, or the OS root user over the socket (Debian's own default).
  // Compose's DB image starts with unix_socket only, so hactl (root) gets in
  // that way and root keeps it: `docker exec mysqlN mariadb-dump` needs no password.
  await conn.query("ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD(?) OR unix_socket", [password]);
  return conn;
}

/**
 * Users and the application database on one node, none of it written to the
 * binary log: every node creates its own, so replication never replays a
 * CREATE USER onto a node that already has it (that stops the SQL thread).
 * Every statement is idempotent.
 */
export async function bootstrapNode(conn: Connection, cluster: Cluster, secrets: Secrets, checkFrom: string): Promise<void> {
  const { name: db, user } = cluster.database;
  await conn.query('SET SESSION sql_log_bin = 0');
  const statements: [string, unknown[]][] = [
    ['CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [REPLICATION_USER, '%', secrets.replication_password.reveal()]],
    ['ALTER USER ?@? IDENTIFIED BY ?', [REPLICATION_USER, '%', secrets.replication_password.reveal()]],
    ['GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO ?@?', [REPLICATION_USER, '%']],
    ['CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [user, '%', secrets.app_password.reveal()]],
    ['ALTER USER ?@? IDENTIFIED BY ?', [user, '%', secrets.app_password.reveal()]],
    // The app's names are validated SQL identifiers (no backquote can occur).
    [`CREATE DATABASE IF NOT EXISTS \`${db}\` CHARACTER SET utf8mb4`, []],
    [`GRANT ALL PRIVILEGES ON \`${db}\`.* TO ?@?`, [user, '%']],
    [`USE \`${db}\``, []],
    // The app's own table definition (it also creates it if missing).
    [readFileSync(SESSIONS_SQL, 'utf8'), []],
    // lb-db's mysql-check logs in as this user: no password, no privileges, only from the balancer.
    ['CREATE USER IF NOT EXISTS ?@?', [DB_CHECK_USER, checkFrom]],
  ];
  for (const [sql, params] of statements) await conn.query(sql, params);
}

/**
 * A named replication connection from NODE to every other master, by GTID.
 * Named connections let a third master replicate from both others. Existing
 * connections are left as they are; stopped ones are started.
 */
export async function connectMasters(conn: Connection, node: DbNode, masters: readonly { node: DbNode; host: string }[], secrets: Secrets): Promise<string[]> {
  const existing = new Map((await replicationConnections(conn)).map((c) => [c.from, c]));
  const created: string[] = [];
  for (const m of masters) {
    if (m.node.name === node.name) continue;
    const row = existing.get(m.node.name);
    if (!row) {
      await conn.query(
        "CHANGE MASTER ? TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1",
        [m.node.name, m.host, m.node.port, REPLICATION_USER, secrets.replication_password.reveal()],
      );
      created.push(m.node.name);
    }
    if (!row || !replicating(row)) {
      await conn.query('START SLAVE ?', [m.node.name]);
    }
  }
  return created;
}
