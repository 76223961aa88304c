import { stringify } from 'yaml';
import type { Cluster } from '../spec/model.js';
import { lbDbPorts, lbWebPorts } from '../spec/endpoints.js';
import { hostPort } from '../util/net.js';
import { IMAGES, type Image } from './compose-images.js';
import { dbAgentListen } from './db-agent.js';
import type { RenderTarget } from './layout.js';
import { OWN_CONF, REDIS_CONF, SENTINEL_CONF, START_ENV } from './redis.js';

/** Where compose/store/Dockerfile puts redis-start.sh. */
const REDIS_START_IN_IMAGE = '/usr/local/lib/hactl/redis-start.sh';

// Folders, not single files, are mounted: hactl replaces a file by rename,
// and a single-file bind mount would keep showing the container the old one.
const HAPROXY_DIR = '/etc/haproxy/hactl';
const HAPROXY_CFG = `${HAPROXY_DIR}/haproxy.cfg`;
const APP_DIR = '/etc/hactl';

function image(target: RenderTarget, of: Image) {
  return { build: { context: `${target.composeDir}/${of.context}` }, image: of.tag };
}

// Docker keeps a container's output without limit by default, and lb-web and the web
// nodes write a line per request: capped as the local runtime caps its logs (8 MiB,
// one older file kept). `hactl logs` reads it with docker logs either way.
// One object per service: a shared one would be written as a YAML anchor and aliases.
const logging = () => ({ driver: 'json-file', options: { 'max-size': '8m', 'max-file': '2' } });

/**
 * Where each container's sockets appear on the host, relative to the
 * compose file: hactl reaches lb-web's and lb-db's admin and master
 * sockets and each DB node's socket there, as in the local runtime.
 */
export function composeRunDir(name: string): string {
  return `run/${name}`;
}

// No depends_on: it is part of a service's definition, so adding web3 would make
// compose recreate lb-web (refusing connections meanwhile) instead of leaving it
// to hactl's hitless reload. HAProxy starts with servers it cannot resolve yet
// (init-addr last,libc,none) and its checks take them in once they answer.
function balancer(cluster: Cluster, target: RenderTarget, lb: 'lb-web' | 'lb-db', ports: string[]) {
  const paths = target.layout.balancer(lb);
  return {
    ...image(target, IMAGES.haproxy),
    container_name: cluster.compose.containerPrefix + lb,
    hostname: lb,
    command: ['haproxy', '-W', '-S', `${paths.masterSocket},mode,600`, '-f', HAPROXY_CFG],
    volumes: [`./${lb}:${HAPROXY_DIR}:ro`, `./${composeRunDir(lb)}:/run/haproxy`],
    ports,
    logging: logging(),
  };
}

/**
 * lb-web on the apache engine: the image's Apache runs the rendered
 * httpd.conf from the mounted folder. hactl reaches it on the published
 * stats port (balancer-manager) and reloads it with apache2 -k graceful run
 * inside the container; it has no socket to share.
 */
function apacheLbWeb(cluster: Cluster, target: RenderTarget, ports: string[]) {
  return {
    ...image(target, IMAGES.apache),
    container_name: `${cluster.compose.containerPrefix}lb-web`,
    hostname: 'lb-web',
    command: ['apache2', '-f', `${target.layout.apache().configDir}/httpd.conf`, '-DFOREGROUND'],
    volumes: [`./lb-web:${target.layout.apache().configDir}:ro`],
    ports,
    logging: logging(),
  };
}

/**
 * The compose file: one container per node plus lb-web and lb-db, each
 * named as in cluster.yaml (after its compose.container_prefix), mounting the files rendered next to it. No
 * secret is written here: they reach the containers only through the
 * mounted, mode-0600 rendered files. Format 2.4: understood by docker
 * compose v2 and by the docker-compose v1 that Debian 12 ships; the project
 * name is given on the command line.
 */
export function renderComposeFile(cluster: Cluster, target: RenderTarget): string {
  // Docker publishes on an address, not a name: localhost means 127.0.0.1.
  const publish = (port: number) => `${hostPort(cluster.listen === 'localhost' ? '127.0.0.1' : cluster.listen, port)}:${port}`;
  const services: Record<string, unknown> = {};
  for (const n of cluster.web) {
    services[n.name] = {
      ...image(target, IMAGES.web),
      container_name: cluster.compose.containerPrefix + n.name,
      hostname: n.name,
      // Apache listens there (compose/web/apache-hactl.conf).
      environment: { HACTL_PORT: String(n.port) },
      volumes: [`./${n.name}:${APP_DIR}:ro`],
      logging: logging(),
    };
  }
  for (const n of cluster.db) {
    services[n.name] = {
      ...image(target, IMAGES.mariadb),
      container_name: cluster.compose.containerPrefix + n.name,
      hostname: n.name,
      // Where its health agent listens (compose/db/entrypoint.sh).
      environment: { HACTL_AGENT_LISTEN: dbAgentListen(cluster, n, 'compose') },
      // The image's mariadb.conf.d/99-hactl.cnf includes this folder's my.cnf, after Debian's 50-server.cnf.
      // The agent reads lb-db's writer entry on lb-db's admin socket.
      volumes: [
        `./${n.name}:/etc/mysql/hactl:ro`,
        `./${composeRunDir(n.name)}:/run/mysqld`,
        `./${composeRunDir('lb-db')}:/run/lb-db`,
        `${n.name}-data:/var/lib/mysql`,
      ],
      logging: logging(),
    };
  }
  // A memcached node has no authentication: on the project's network only, never published.
  for (const n of cluster.memcached) {
    services[n.name] = {
      ...image(target, IMAGES.store),
      container_name: cluster.compose.containerPrefix + n.name,
      hostname: n.name,
      command: ['memcached', '-l', '0.0.0.0', '-p', String(n.port), '-U', '0', '-m', '64', '-u', 'memcache'],
      logging: logging(),
    };
  }
  // Redis nodes and Sentinels: on the project's network only; the web nodes reach the primary through lb-db.
  for (const [tier, conf] of [['redis', REDIS_CONF], ['sentinel', SENTINEL_CONF]] as const) {
    for (const n of cluster[tier]) {
      const paths = target.layout.redis(n.name);
      services[n.name] = {
        ...image(target, IMAGES.store),
        container_name: cluster.compose.containerPrefix + n.name,
        hostname: n.name,
        command: ['sh', REDIS_START_IN_IMAGE, tier, `${paths.configDir}/${conf}`, `${paths.configDir}/${START_ENV}`, `${paths.dataDir}/${OWN_CONF}`],
        volumes: [`./${n.name}:${paths.configDir}:ro`],
        logging: logging(),
      };
    }
  }
  const lbWebPublished = lbWebPorts(cluster).map(publish);
  services['lb-web'] = cluster.balancer.engine === 'apache' ? apacheLbWeb(cluster, target, lbWebPublished) : balancer(cluster, target, 'lb-web', lbWebPublished);
  services['lb-db'] = balancer(cluster, target, 'lb-db', lbDbPorts(cluster).map(publish));
  const doc = {
    version: '2.4',
    services,
    volumes: Object.fromEntries(cluster.db.map((n) => [`${n.name}-data`, {}])),
  };
  return `# Rendered by hactl from cluster.yaml: edit that file, not this one.\n${stringify(doc)}`;
}
