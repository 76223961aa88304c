import { connectAddress, hostPort } from '../util/net.js';
import type { Cluster } from './model.js';

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
