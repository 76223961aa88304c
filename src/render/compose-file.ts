import { stringify } from 'yaml';
import type { Cluster } from '../spec/model.js';
import { hostPort } from '../util/net.js';
import type { RenderTarget } from './layout.js';

// Folders, not single files, are mounted: hactl replaces a file by rename,
// and a single-file bind mount would keep showing the container the old one.
const HAPROXY_DIR = '/etc/haproxy/hactl';
const HAPROXY_CFG = `${HAPROXY_DIR}/haproxy.cfg`;
const APP_DIR = '/etc/hactl';
const APP_SETTINGS = `${APP_DIR}/app.json`;

function balancer(target: RenderTarget, lb: 'lb-web' | 'lb-db', ports: string[], dependsOn: string[]) {
  const paths = target.layout.balancer(lb);
  return {
    build: { context: `${target.composeDir}/haproxy` },
    image: 'hactl/haproxy',
    hostname: lb,
    command: ['haproxy', '-W', '-S', paths.masterSocket, '-f', HAPROXY_CFG],
    volumes: [`./${lb}:${HAPROXY_DIR}:ro`],
    ports,
    depends_on: dependsOn,
  };
}

/**
 * The compose file: one service per node plus lb-web and lb-db, mounting the
 * files rendered next to it. No secret is written here: they reach the
 * containers only through the mounted, mode-0600 rendered files.
 */
export function renderComposeFile(cluster: Cluster, target: RenderTarget): string {
  const publish = (port: number) => `${hostPort(cluster.listen, port)}:${port}`;
  const services: Record<string, unknown> = {};
  for (const n of cluster.web) {
    services[n.name] = {
      build: { context: `${target.composeDir}/web` },
      image: 'hactl/web',
      hostname: n.name,
      command: ['php', '-S', `0.0.0.0:${n.port}`, '-t', '/app', '/app/router.php'],
      environment: { PHP_CLI_SERVER_WORKERS: '4', HACTL_APP_SETTINGS: APP_SETTINGS },
      volumes: [`./${n.name}:${APP_DIR}:ro`],
    };
  }
  for (const n of cluster.db) {
    services[n.name] = {
      build: { context: `${target.composeDir}/db` },
      image: 'hactl/mariadb',
      hostname: n.name,
      // The image's mariadb.conf.d/99-hactl.cnf includes this folder's my.cnf, after Debian's 50-server.cnf.
      volumes: [`./${n.name}:/etc/mysql/hactl:ro`, `${n.name}-data:/var/lib/mysql`],
    };
  }
  services['lb-web'] = balancer(
    target,
    'lb-web',
    [publish(cluster.ports.http), publish(cluster.ports.stats)],
    cluster.web.map((n) => n.name),
  );
  services['lb-db'] = balancer(target, 'lb-db', [publish(cluster.ports.db)], cluster.db.map((n) => n.name));
  const doc = {
    name: cluster.name,
    services,
    volumes: Object.fromEntries(cluster.db.map((n) => [`${n.name}-data`, {}])),
  };
  return `# Rendered by hactl from cluster.yaml: edit that file, not this one.\n${stringify(doc)}`;
}
