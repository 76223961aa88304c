import { MAX_DB_NODES, type Cluster, type DbNode } from '../spec/model.js';
import { compile } from './engine.js';
import type { RenderTarget } from './layout.js';

export function renderMariadb(cluster: Cluster, node: DbNode, target: RenderTarget, source: string): string {
  const local = target.runtime === 'local';
  return compile(source)({
    cluster,
    node,
    // In a container the node owns the whole network namespace.
    bindAddress: local ? node.host : '0.0.0.0',
    port: node.port,
    paths: target.layout.database(node.name),
    autoIncrementIncrement: MAX_DB_NODES,
  });
}
