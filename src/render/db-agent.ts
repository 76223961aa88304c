import { isIP } from 'node:net';
import type { Secrets } from '../secrets/store.js';
import type { Cluster, ConcreteRuntime, DbNode } from '../spec/model.js';
import { compile } from './engine.js';
import type { RenderTarget } from './layout.js';

/** A DB node's health agent's settings (compose/db/db-agent.sh reads them on every check). */
export function renderDbAgentEnv(cluster: Cluster, node: DbNode, target: RenderTarget, source: string): string {
  return compile(source)({
    cluster,
    node,
    paths: target.layout.agent(node.name),
    // MariaDB reports lag in whole seconds.
    maxLagS: Math.floor(cluster.database.maxLagMs / 1000),
  });
}

/** Root's login for the local agent, which may not run as the OS root (unix_socket). */
export function renderDbAgentClient(secrets: Secrets): string {
  return `[client]\nuser=root\npassword=${secrets.db_root_password.reveal()}\n`;
}

/**
 * Where the agent listens, as socat's address: on the node's own address
 * locally, on every address of the container in compose. Part of how the
 * node is run, so a change restarts it.
 */
export function dbAgentListen(cluster: Cluster, node: DbNode, runtime: ConcreteRuntime): string {
  const port = cluster.ports.db_agent;
  if (runtime === 'compose') return `TCP-LISTEN:${port},reuseaddr,fork`;
  return isIP(node.host) === 6 ? `TCP6-LISTEN:${port},bind=[${node.host}],reuseaddr,fork` : `TCP-LISTEN:${port},bind=${node.host},reuseaddr,fork`;
}
