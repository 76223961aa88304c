import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../paths.js';
import type { Layout } from '../../render/layout.js';
import type { DbNode, StoreNode, WebNode } from '../../spec/model.js';
import type { Command } from '../../util/runner.js';

/**
 * The local runtime's processes as argument arrays: pure, so tests can
 * assert them exactly. Every process runs in the foreground; the supervisor
 * detaches it into its own process group.
 */

export function mariadbInstallDb(configFile: string, dataDir: string, asRoot: boolean): Command {
  return [
    'mariadb-install-db',
    [
      `--defaults-file=${configFile}`,
      `--datadir=${dataDir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      ...(asRoot ? ['--user=root'] : []),
    ],
  ];
}

export function mariadbd(configFile: string, asRoot: boolean): Command {
  // mariadbd refuses to run as root unless told to: the local runtime runs
  // every process as the user who runs hactl.
  return ['mariadbd', [`--defaults-file=${configFile}`, ...(asRoot ? ['--user=root'] : [])]];
}

/** The DB node's health agent, the same script as in its container. */
export const WITH_AGENT = join(PACKAGE_ROOT, 'compose', 'db', 'with-agent.sh');

/** A DB node: its MariaDB with its health agent beside it, in one process group. */
export function dbNode(agentEnv: string, agentListen: string, [bin, args]: Command): Command {
  return ['sh', [WITH_AGENT, agentEnv, agentListen, bin, ...args]];
}

/**
 * A web node: its own Apache (prefork + mod_php) in the foreground, so the
 * master stays the leader of the group the supervisor made and its children
 * die with it (kill -9 of the group leaves nothing serving).
 */
export function apacheNode(configFile: string): Command {
  return [APACHE2, ['-f', configFile, '-DFOREGROUND']];
}

export function haproxy(lb: 'lb-web' | 'lb-db', configFile: string, layout: Layout): Command {
  const paths = layout.balancer(lb);
  // -W: master-worker, so a reload on the master CLI (-S) keeps serving.
  return ['haproxy', ['-W', '-S', `${paths.masterSocket},mode,600`, '-f', configFile, '-p', paths.pidFile]];
}

/**
 * A memcached node on its own address only (no UDP): it has no
 * authentication, so it listens nowhere but where the web nodes reach it.
 * As root it drops to Debian's memcache user (it refuses to run as root).
 */
export function memcached(node: StoreNode, asRoot: boolean): Command {
  return ['memcached', ['-l', node.host, '-p', String(node.port), '-U', '0', '-m', '64', ...(asRoot ? ['-u', 'memcache'] : [])]];
}

/** Starts a Redis node or Sentinel where the others are now: the same script as in its container. */
export const REDIS_START = join(PACKAGE_ROOT, 'compose', 'store', 'redis-start.sh');

/** A Redis node or Sentinel, run from OWN_CONF, which the script makes from the rendered CONF and the primary of the moment. */
export function redisStart(mode: 'redis' | 'sentinel', conf: string, startEnv: string, ownConf: string): Command {
  return ['sh', [REDIS_START, mode, conf, startEnv, ownConf]];
}

/** Debian's apache2 is in /usr/sbin, which a user's PATH may not have. */
export const APACHE2 = '/usr/sbin/apache2';

/** lb-web on the apache engine: a private Apache in the foreground (the supervisor detaches it). */
export function apacheLbWeb(configFile: string): Command {
  return [APACHE2, ['-f', configFile, '-DFOREGROUND']];
}

/**
 * Dump the donor (one consistent transaction, its GTID position as a
 * comment) and load it into the new node without binary logging, both as
 * root over the nodes' sockets with the password in an option file.
 */
export function cloneCommands(optionFile: string, donorSocket: string, targetSocket: string, database: string): { dump: Command; load: Command } {
  const auth = `--defaults-extra-file=${optionFile}`;
  return {
    dump: ['mariadb-dump', [auth, `--socket=${donorSocket}`, '--single-transaction', '--master-data=2', '--routines', '--triggers', '--databases', database]],
    load: ['mariadb', [auth, `--socket=${targetSocket}`, '--init-command=SET SESSION sql_log_bin=0']],
  };
}

export type LocalProcess =
  | { kind: 'db'; node: DbNode }
  | { kind: 'web'; node: WebNode }
  | { kind: 'lb'; name: 'lb-web' | 'lb-db' };
