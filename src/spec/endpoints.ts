import { connectAddress, hostPort } from '../util/net.js';
import type { Cluster, ConcreteRuntime } from './model.js';

/** Where users and scripts reach the cluster. */
export interface Endpoints {
  http: string;
  /** With tls. */
  https?: string;
  stats: string;
  db: string;
}

export function endpointsOf(cluster: Cluster): Endpoints {
  const host = connectAddress(cluster.listen);
  return {
    http: `http://${hostPort(host, cluster.ports.http)}/`,
    ...(cluster.tls ? { https: `https://${hostPort(host, cluster.ports.https)}/` } : {}),
    stats: `http://${hostPort(host, cluster.ports.stats)}/`,
    db: hostPort(host, cluster.ports.db),
  };
}

/** The ports lb-web listens on: the site, its stats page, and the site over HTTPS with tls. */
export function lbWebPorts(cluster: Cluster): number[] {
  return [cluster.ports.http, cluster.ports.stats, ...(cluster.tls ? [cluster.ports.https] : [])];
}

/** The ports lb-db listens on: the DB entry, and the Redis entry with Redis nodes. */
export function lbDbPorts(cluster: Cluster): number[] {
  return [cluster.ports.db, ...(cluster.redis.length > 0 ? [cluster.ports.redis] : [])];
}

/**
 * Where a node listens, as its balancer reaches it: on compose its
 * container's name on the project's network (cluster.yaml's host is the
 * local runtime's), locally its own loopback address.
 */
export function nodeHost(node: { name: string; host: string }, runtime: ConcreteRuntime): string {
  return runtime === 'compose' ? node.name : node.host;
}
