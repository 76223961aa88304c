import type { Secrets } from '../secrets/store.js';
import type { Cluster } from '../spec/model.js';
import { renderApacheWeb } from './apache.js';
import { renderApacheNode } from './apache-node.js';
import { renderAppSettings } from './app-settings.js';
import { renderComposeFile } from './compose-file.js';
import { assertConfigSafe } from './engine.js';
import { renderHaproxyDb, renderHaproxyWeb, SITE_PEM } from './haproxy.js';
import type { RenderTarget } from './layout.js';
import { renderMariadb } from './mariadb.js';
import { renderRedisFiles } from './redis.js';
import { renderDbAgentClient, renderDbAgentEnv } from './db-agent.js';
import type { TemplateSources } from './templates.js';

/**
 * redis: a Redis node's or Sentinel's; a change restarts it. peers: where
 * the others are, read when it starts: a running one follows them itself.
 * app and agent: read afresh on every request or check, so a change needs
 * no restart. cert: lb-web's certificate, swapped on a running HAProxy
 * through its runtime API (the planner decides how).
 */
export type RenderedKind = 'haproxy' | 'apache' | 'mariadb' | 'app' | 'agent' | 'compose' | 'cert' | 'redis' | 'peers';

export interface RenderedFile {
  /** Relative to the output folder, e.g. "lb-web/haproxy.cfg". */
  path: string;
  content: string;
  /** 0600 for files holding a secret. */
  mode: number;
  kind: RenderedKind;
  /** Who must own it, when that is not hactl's user (a container's reader). */
  owner?: { uid: number; gid: number };
  /**
   * The content with what lb-web's runtime API sets (each web node's state
   * and weight) left at their defaults: a running balancer needs a reload
   * only when this changes; a change of the rest is a runtime API command.
   */
  shape?: string;
  /**
   * Folders the file names that must exist before it is checked or used: an
   * Apache config's DefaultRuntimeDir and Mutex folder (apache2 -t refuses it without them).
   */
  runtimeDirs?: string[];
}

/** www-data in Debian: a web node's Apache children (PHP) read app.json and write the node's data as this user. */
export const DEBIAN_WWW_DATA = { user: 'www-data', uid: 33, gid: 33 };

/** CLUSTER with every web node ready at weight 100: what lb-web's runtime API cannot change. */
function runtimeNeutral(cluster: Cluster): Cluster {
  return { ...cluster, web: cluster.web.map((n) => ({ ...n, state: 'ready', weight: 100 })) };
}

/** With tls, the certificate and key lb-web serves (SERVING: the PEM), beside its config. */
function siteCert(cluster: Cluster, serving: string | undefined): RenderedFile[] {
  if (!cluster.tls) return [];
  if (serving === undefined) throw new Error('tls is on, and no certificate was given to render');
  return [{ path: `lb-web/${SITE_PEM}`, content: serving, mode: 0o600, kind: 'cert' }];
}

/** lb-web's files for its engine: HAProxy's config, or Apache's config and the stats page's login. */
function lbWeb(cluster: Cluster, secrets: Secrets, target: RenderTarget, sources: TemplateSources): RenderedFile[] {
  if (cluster.balancer.engine === 'apache') {
    return [
      {
        path: 'lb-web/httpd.conf',
        content: renderApacheWeb(cluster, secrets, target, sources.apacheWeb),
        shape: renderApacheWeb(runtimeNeutral(cluster), secrets, target, sources.apacheWeb),
        // It holds the stats login, as haproxy.cfg does.
        mode: 0o600,
        kind: 'apache',
        // Inside a container the image has it.
        ...(target.runtime === 'local' ? { runtimeDirs: [target.layout.apache().runDir] } : {}),
      },
    ];
  }
  return [
    {
      path: 'lb-web/haproxy.cfg',
      content: renderHaproxyWeb(cluster, secrets, target, sources.haproxyWeb),
      shape: renderHaproxyWeb(runtimeNeutral(cluster), secrets, target, sources.haproxyWeb),
      mode: 0o600,
      kind: 'haproxy',
    },
  ];
}

/**
 * Everything a cluster needs, derived from the model alone (and, with tls,
 * SERVING: the PEM of the certificate lb-web serves). Pure: no I/O.
 */
export function renderCluster(cluster: Cluster, secrets: Secrets, target: RenderTarget, sources: TemplateSources, serving?: string): RenderedFile[] {
  // tls.cert and tls.key are paths only hactl reads (their content is SERVING): they reach no config.
  assertConfigSafe({ ...cluster, tls: cluster.tls && { ...cluster.tls, cert: undefined, key: undefined } });
  const files: RenderedFile[] = [
    ...lbWeb(cluster, secrets, target, sources),
    ...siteCert(cluster, serving),
    // With Redis it holds the password lb-db's check logs in with.
    { path: 'lb-db/haproxy.cfg', content: renderHaproxyDb(cluster, secrets, target, sources.haproxyDb), mode: cluster.redis.length > 0 ? 0o600 : 0o644, kind: 'haproxy' },
    ...renderRedisFiles(cluster, secrets, target, sources),
    ...cluster.db.flatMap((n): RenderedFile[] => [
      { path: `${n.name}/my.cnf`, content: renderMariadb(cluster, n, target, sources.mariadb), mode: 0o644, kind: 'mariadb' },
      { path: `${n.name}/agent.env`, content: renderDbAgentEnv(cluster, n, target, sources.dbAgent), mode: 0o644, kind: 'agent' },
      // Root's password: the local agent may run as a user that root's unix_socket login does not match.
      ...(target.runtime === 'local' ? [{ path: `${n.name}/client.cnf`, content: renderDbAgentClient(secrets), mode: 0o600, kind: 'agent' as const }] : []),
    ]),
    ...cluster.web.map((n) => ({
      path: `${n.name}/app.json`,
      content: renderAppSettings(cluster, n, secrets, target),
      mode: 0o600,
      kind: 'app' as const,
      owner: DEBIAN_WWW_DATA,
    })),
  ];
  // A compose web node runs the image's Apache, configured by compose/web/apache-hactl.conf.
  if (target.runtime === 'local') {
    files.push(
      ...cluster.web.map((n) => ({
        path: `${n.name}/httpd.conf`,
        content: renderApacheNode(cluster, n, target, sources.apacheNode),
        mode: 0o644,
        kind: 'apache' as const,
        runtimeDirs: [target.layout.web(n.name).runDir],
      })),
    );
  }
  if (target.runtime === 'compose') {
    files.push({ path: 'compose.yaml', content: renderComposeFile(cluster, target), mode: 0o644, kind: 'compose' });
  }
  return files;
}
