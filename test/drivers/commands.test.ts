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

  it('php -S on the node\'s own address, quiet, with its settings in the environment', () => {
    const node = { name: 'web1', host: '127.0.1.1', port: 8000, cookie: 'S1', weight: 100, state: 'ready' as const };
    expect(cmd.phpServer(node, '/app')).toEqual(['php', ['-q', '-d', 'error_log=/dev/stderr', '-S', '127.0.1.1:8000', '-t', '/app', '/app/router.php']]);
    expect(cmd.phpServer({ ...node, host: '::1' }, '/app')[1][4]).toBe('[::1]:8000');
    expect(cmd.phpEnv('/c/web1/app.json')).toEqual({ PHP_CLI_SERVER_WORKERS: '4', HACTL_APP_SETTINGS: '/c/web1/app.json' });
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
