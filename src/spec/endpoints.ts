import { connectAddress, hostPort } from '../util/net.js';
import type { Cluster, ConcreteRuntime } from './model.js';

/** Where users and scripts reach the cluster. */
export interface Endpoints {
  http: string;
  stats: string;
  db: string;
}

export function endpointsOf(cluster: Cluster): Endpoints {
  const host = connectAddress(cluster.listen);
  return {
    http: `http://${hostPort(host, cluster.ports.http)}/`,
    stats: `http://${hostPort(host, cluster.ports.stats)}/`,
    db: hostPort(host, cluster.ports.db),
  };
}

/**
 * Where a node listens, as its balancer reaches it: on compose its
 * container's name on the project's network (cluster.yaml's host is the
 * local runtime's), locally its own loopback address.
 */
export function nodeHost(node: { name: string; host: string }, runtime: ConcreteRuntime): string {
  return runtime === 'compose' ? node.name : node.host;
}
