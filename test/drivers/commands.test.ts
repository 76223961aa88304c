import { describe, expect, it } from 'vitest';
import * as cmd from '../../src/drivers/local/commands.js';
import { localLayout } from '../../src/render/layout.js';

describe('local runtime commands are argument arrays', () => {
  const layout = localLayout('/srv/site/.hactl');

  it('mariadbd and mariadb-install-db, with --user=root only as root', () => {
    expect(cmd.mariadbd('/c/mysql1/my.cnf', false)).toEqual(['mariadbd', ['--defaults-file=/c/mysql1/my.cnf']]);
    expect(cmd.mariadbd('/c/mysql1/my.cnf', true)).toEqual(['mariadbd', ['--defaults-file=/c/mysql1/my.cnf', '--user=root']]);
    expect(cmd.mariadbInstallDb('/c/my.cnf', '/d/mysql1', true)).toEqual([
      'mariadb-install-db',
      ['--defaults-file=/c/my.cnf', '--datadir=/d/mysql1', '--auth-root-authentication-method=normal', '--skip-test-db', '--user=root'],
    ]);
  });

  it("a web node's own Apache, by its absolute path (not on a normal user's PATH), in the foreground", () => {
    expect(cmd.apacheNode('/srv/site/.hactl/config/web1/httpd.conf')).toEqual(['/usr/sbin/apache2', ['-f', '/srv/site/.hactl/config/web1/httpd.conf', '-DFOREGROUND']]);
  });

  it('haproxy in master-worker mode with a private master socket', () => {
    expect(cmd.haproxy('lb-web', '/c/lb-web/haproxy.cfg', layout)).toEqual([
      'haproxy',
      ['-W', '-S', '/srv/site/.hactl/run/lb-web.master.sock,mode,600', '-f', '/c/lb-web/haproxy.cfg', '-p', '/srv/site/.hactl/run/lb-web.pid'],
    ]);
  });
});

describe('cloning a DB node', () => {
  it('dumps one consistent transaction with its GTID position and loads it without binary logging, password in an option file', () => {
    expect(cmd.cloneCommands('/p/.hactl/run/mysql3.clone.cnf', '/p/.hactl/run/mysql2.sock', '/p/.hactl/run/mysql3.sock', 'hactl')).toEqual({
      dump: [
        'mariadb-dump',
        ['--defaults-extra-file=/p/.hactl/run/mysql3.clone.cnf', '--socket=/p/.hactl/run/mysql2.sock', '--single-transaction', '--master-data=2', '--routines', '--triggers', '--databases', 'hactl'],
      ],
      load: ['mariadb', ['--defaults-extra-file=/p/.hactl/run/mysql3.clone.cnf', '--socket=/p/.hactl/run/mysql3.sock', '--init-command=SET SESSION sql_log_bin=0']],
    });
  });
});
