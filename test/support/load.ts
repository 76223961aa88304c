import { Agent } from 'node:http';
import { CookieJar, request } from './http.js';

export interface LoadResult {
  requests: number;
  /** Connection errors, timeouts and 5xx answers, each described. */
  failures: string[];
  /** Requests answered by each node (X-Served-By). */
  servedBy: Map<string, number>;
}

/**
 * Steady traffic through lb-web while an operation runs: KEEPALIVE clients
 * reuse their connection, FRESH clients open a new one per request, as
 * browsers and scripts do. Each keeps its cookies as a browser does, so in
 * sticky mode it stays on one node; STICKY false sends none. Every failure
 * is kept with its reason.
 */
export function startLoad(url: string, options: { keepAlive?: number; fresh?: number; path?: string; sticky?: boolean } = {}) {
  const result: LoadResult = { requests: 0, failures: [], servedBy: new Map() };
  let running = true;
  const agents: Agent[] = [];
  const client = async (agent?: Agent) => {
    const jar = options.sticky === false ? undefined : new CookieJar();
    while (running) {
      try {
        const res = await request(`${url}${options.path ?? '/api/session'}`, { ...(jar ? { jar } : {}), timeoutMs: 10_000, ...(agent ? { agent } : {}) });
        result.requests++;
        const node = String(res.headers['x-served-by'] ?? '?');
        result.servedBy.set(node, (result.servedBy.get(node) ?? 0) + 1);
        if (res.status >= 500) result.failures.push(`HTTP ${res.status} from ${node}: ${res.body.slice(0, 200)}`);
      } catch (err) {
        result.requests++;
        result.failures.push((err as Error).message);
      }
    }
  };
  const loops = [
    ...Array.from({ length: options.keepAlive ?? 2 }, () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      agents.push(agent);
      return client(agent);
    }),
    ...Array.from({ length: options.fresh ?? 2 }, () => client()),
  ];
  return {
    result,
    async stop(): Promise<LoadResult> {
      running = false;
      await Promise.all(loops);
      for (const a of agents) a.destroy();
      return result;
    },
  };
}
