import { createServer } from 'node:net';

/**
 * A TCP port that is free on `host` right now (the kernel picks it). Another
 * process may take it before the caller binds it; callers that start a server
 * retry or fail loudly, they never hang.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`could not read the port bound on ${host}`));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
