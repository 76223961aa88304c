import type { Cluster, WebNode } from '../spec/model.js';
import { hostPort } from '../util/net.js';
import { compile } from './engine.js';
import type { RenderTarget } from './layout.js';

/**
 * Prefork's children per node. Measured with wrk -t2 -c8 on a 2-core machine
 * (docs/research/apache-engine.md section 8): Debian's defaults (5 at rest, 5-10 spare)
 * were the fastest; 4 children at most lost little throughput but p99 went to
 * 50-190 ms. The cap is lower than Debian's 150: several nodes share one machine,
 * and lb-web spreads its connections over them.
 */
export const PREFORK = { start: 5, minSpare: 5, maxSpare: 10, max: 64 };

/** A web node's own Apache (local runtime): the whole server config, started as `apache2 -f FILE -DFOREGROUND`. */
export function renderApacheNode(cluster: Cluster, node: WebNode, target: RenderTarget, source: string): string {
  const paths = target.layout.web(node.name);
  return compile(source)({
    cluster,
    node,
    paths,
    listen: hostPort(node.host, node.port),
    appDir: `${target.composeDir}/web/app`,
    settingsFile: paths.settingsFile,
    prefork: PREFORK,
  });
}
