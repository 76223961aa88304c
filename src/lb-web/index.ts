import type { Driver } from '../drivers/driver.js';
import type { Secrets } from '../secrets/store.js';
import type { Cluster } from '../spec/model.js';
import { apacheLbWeb } from './apache.js';
import type { LbWebClient } from './client.js';
import { haproxyLbWeb } from './haproxy.js';

export type { LbWebClient, WebMember } from './client.js';

/**
 * lb-web's runtime side for CLUSTER's engine. Apache's members are web
 * nodes by their routes: CLUSTER must hold every node an action names
 * (remove web drains a node that the edited cluster.yaml no longer has).
 */
export function lbWebClient(driver: Driver, cluster: Cluster, secrets: Secrets): LbWebClient {
  return cluster.balancer.engine === 'apache' ? apacheLbWeb(cluster, secrets) : haproxyLbWeb(driver);
}
