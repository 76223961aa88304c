import { readFileSync } from 'node:fs';

/** The handlebars sources under templates/, read once and passed to render(). */
export interface TemplateSources {
  haproxyWeb: string;
  haproxyDb: string;
  apacheWeb: string;
  apacheNode: string;
  mariadb: string;
  dbAgent: string;
  redis: string;
  sentinel: string;
}

const DIR = new URL('../../templates/', import.meta.url);

export function loadTemplateSources(): TemplateSources {
  const read = (name: string) => readFileSync(new URL(name, DIR), 'utf8');
  return {
    haproxyWeb: read('haproxy-web.cfg.hbs'),
    haproxyDb: read('haproxy-db.cfg.hbs'),
    apacheWeb: read('apache-web.conf.hbs'),
    apacheNode: read('apache-node.conf.hbs'),
    mariadb: read('mariadb.cnf.hbs'),
    dbAgent: read('db-agent.env.hbs'),
    redis: read('redis.conf.hbs'),
    sentinel: read('sentinel.conf.hbs'),
  };
}
