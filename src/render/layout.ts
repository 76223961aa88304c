import type { ConcreteRuntime } from '../spec/model.js';

/** Where a runtime keeps each node's sockets, state and data. */
export interface Layout {
  balancer(lb: 'lb-web' | 'lb-db'): { adminSocket: string; masterSocket: string; stateFile: string; pidFile: string };
  /** undefined: the DB image's own defaults apply. */
  database(node: string): { dataDir: string; socket: string; pidFile: string; errorLog: string } | undefined;
  /**
   * A DB node's health agent: the node's socket, the option file with root's
   * password (none where root logs in by unix_socket), where it records its
   * last answer (hactl status reads it), and lb-db's admin socket.
   */
  agent(node: string): { socket: string; clientOptions: string | undefined; stateFile: string; lbDbSocket: string };
  /** A web node: the app's data and sessions (the app's user writes them), its settings, and its Apache's runtime folder and pid file. */
  web(node: string): { dataDir: string; sessions: string; settingsFile: string; runDir: string; pidFile: string };
  /** lb-web on the apache engine: its runtime folder (shared memory, mutexes), pid file, and where it reads its rendered files. */
  apache(): { runDir: string; pidFile: string; configDir: string };
  /** A Redis node or Sentinel: where it reads its rendered files, and its own folder (the config it runs from and rewrites). */
  redis(node: string): { configDir: string; dataDir: string };
}

/** The local runtime keeps everything under the project's state folder (.hactl). */
export function localLayout(stateDir: string): Layout {
  return {
    balancer: (lb) => ({
      adminSocket: `${stateDir}/run/${lb}.sock`,
      masterSocket: `${stateDir}/run/${lb}.master.sock`,
      stateFile: `${stateDir}/run/${lb}.state`,
      pidFile: `${stateDir}/run/${lb}.pid`,
    }),
    database: (node) => ({
      dataDir: `${stateDir}/data/${node}`,
      socket: `${stateDir}/run/${node}.sock`,
      pidFile: `${stateDir}/run/${node}.pid`,
      errorLog: `${stateDir}/log/${node}.log`,
    }),
    agent(node) {
      return {
        socket: this.database(node)!.socket,
        clientOptions: `${stateDir}/config/${node}/client.cnf`,
        stateFile: `${stateDir}/run/${node}.agent`,
        lbDbSocket: this.balancer('lb-db').adminSocket,
      };
    },
    web: (node) => ({
      dataDir: `${stateDir}/data/${node}`,
      sessions: `${stateDir}/data/${node}/sessions`,
      settingsFile: `${stateDir}/config/${node}/app.json`,
      runDir: `${stateDir}/run/${node}.apache`,
      pidFile: `${stateDir}/run/${node}.apache/httpd.pid`,
    }),
    apache: () => ({ runDir: `${stateDir}/run/lb-web.apache`, pidFile: `${stateDir}/run/lb-web.apache/httpd.pid`, configDir: `${stateDir}/config/lb-web` }),
    redis: (node) => ({ configDir: `${stateDir}/config/${node}`, dataDir: `${stateDir}/data/${node}` }),
  };
}

/** Paths inside the containers built from compose/. */
export const composeLayout: Layout = {
  // All in /run/haproxy, which the compose file mounts from the host: hactl
  // talks to the sockets and writes the state file from outside.
  balancer: () => ({
    adminSocket: '/run/haproxy/admin.sock',
    masterSocket: '/run/haproxy/master.sock',
    stateFile: '/run/haproxy/server-state',
    pidFile: '/run/haproxy/haproxy.pid',
  }),
  database: () => undefined,
  // The container runs the agent as root, which logs in by unix_socket; the
  // compose file mounts lb-db's run folder at /run/lb-db.
  agent: () => ({ socket: '/run/mysqld/mysqld.sock', clientOptions: undefined, stateFile: '/run/mysqld/agent.state', lbDbSocket: '/run/lb-db/admin.sock' }),
  // The web image's Apache keeps Debian's runtime folder (compose/web/Dockerfile).
  web: () => ({ dataDir: '/var/lib/hactl', sessions: '/var/lib/hactl/sessions', settingsFile: '/etc/hactl/app.json', runDir: '/run/apache2', pidFile: '/run/apache2/apache2.pid' }),
  apache: () => ({ runDir: '/run/apache2', pidFile: '/run/apache2/httpd.pid', configDir: '/etc/apache2/hactl' }),
  // The compose file mounts the node's rendered folder there; /data is the container's own.
  redis: () => ({ configDir: '/etc/redis/hactl', dataDir: '/data' }),
};

export interface RenderTarget {
  runtime: ConcreteRuntime;
  layout: Layout;
  /** Absolute path of the repository's compose/ folder: the images' build contexts. */
  composeDir: string;
}
