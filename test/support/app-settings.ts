import { join } from 'node:path';

/** The PHP app's settings file (compose/web/app/lib/settings.php reads it on every request). */
export interface AppSettings {
  cluster: string;
  node: { name: string; address: string; port: number };
  session: { mode: SessionMode; name: string; save_path: string; lifetime: number };
  db: { host: string; port: number; name: string; user: string; password: string };
  data_dir: string;
  /** IP addresses, CIDR ranges or host names allowed to set X-Forwarded-For. */
  trusted_proxies: string[];
}

export type SessionMode = 'none' | 'sticky' | 'db';

export interface AppDb {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

/**
 * Settings for one node whose files all live under `dir`. Without `db` the DB
 * entry points at port 9 on the node's own address, where nothing listens.
 */
export function appSettings(options: { dir: string; name: string; address: string; port: number; mode?: SessionMode; db?: AppDb }): AppSettings {
  const db = options.db ?? { host: options.address, port: 9, database: 'hactl', user: 'hactl_app', password: 'unused' };
  return {
    cluster: 'test',
    node: { name: options.name, address: options.address, port: options.port },
    session: { mode: options.mode ?? 'sticky', name: 'PHPSESSID', save_path: join(options.dir, 'sessions'), lifetime: 1440 },
    db: { host: db.host, port: db.port, name: db.database, user: db.user, password: db.password },
    data_dir: join(options.dir, 'data'),
    trusted_proxies: ['127.0.0.1'],
  };
}
