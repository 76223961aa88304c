import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { certificateBlocks, keyBlock } from '../tls/certificate.js';
import { HactlError } from '../errors.js';
import type { Project } from '../ops/project.js';
import type { Runtime } from '../spec/model.js';
import { hostPort } from '../util/net.js';
import type { Runner } from '../util/runner.js';
import { createApp } from './app.js';
import { clientNetworks } from './client-networks.js';
import { dashboardCredentials } from './credentials.js';
import { LiveFeed } from './live.js';
import { startMonitor } from './monitor.js';
import { servedAs } from './served-as.js';
import { snapshotReader } from './snapshot.js';
import { loadStaticFiles } from './static-files.js';

export interface DashboardOptions {
  host: string;
  port: number;
  /** Client networks allowed in; empty: any client that can reach HOST. */
  allow: readonly string[];
  /** Names the dashboard is also served as (a DNS name, a reverse proxy's); see served-as.ts. */
  hostNames: readonly string[];
  runtime?: Runtime | undefined;
  /** Serve over HTTPS with the PEM (certificate and key) this gives, asked again now and then: a renewed one is taken up. */
  tls?: (() => string) | undefined;
}

/** How often a served certificate is looked at again (hactl cert renew or set while the dashboard runs). */
const CERT_RECHECK_MS = 5000;

/** How often the cluster is read while a page is open: a crash must reach the page within a second. */
const READ_INTERVAL_MS = 250;

export interface RunningDashboard {
  url: string;
  close(): Promise<void>;
}

/** Serve the dashboard of PROJECT until close(). */
export async function startDashboard(project: Project, options: DashboardOptions, runner: Runner): Promise<RunningDashboard> {
  const networks = clientNetworks(options.allow);
  const served = servedAs(options.host, options.port, options.hostNames);
  const reader = await snapshotReader(project, options.runtime, runner);
  const feed = new LiveFeed(() => reader.read(), READ_INTERVAL_MS);
  const app = createApp({
    project,
    runtime: options.runtime,
    runner,
    credentials: dashboardCredentials(project.stateDir),
    networks,
    servedAs: served,
    feed,
    files: loadStaticFiles(),
    secure: options.tls !== undefined,
  });
  const pem = options.tls?.();
  const server = await new Promise<Server>((resolve, reject) => {
    const s = (pem === undefined
      ? serve({ fetch: app.fetch, hostname: options.host, port: options.port })
      : serve({ fetch: app.fetch, hostname: options.host, port: options.port, createServer: createHttpsServer, serverOptions: secureContext(pem) })) as Server;
    s.once('listening', () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new HactlError(`${hostPort(options.host, options.port)} is already in use: another dashboard, or another program (--port chooses another)`)
          : new HactlError(`the dashboard cannot listen on ${hostPort(options.host, options.port)}: ${err.message}`),
      ),
    );
  });
  // Only once it serves: a dashboard that cannot listen leaves nothing running.
  const monitor = startMonitor(() => feed.current(), project.stateDir);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  let servedPem = pem;
  const recheck = options.tls
    ? setInterval(() => {
        try {
          const now = options.tls!();
          if (now !== servedPem) (server as unknown as HttpsServer).setSecureContext(secureContext(now));
          servedPem = now;
        } catch {
          /* a certificate being replaced: the one served stays until the next look */
        }
      }, CERT_RECHECK_MS)
    : undefined;
  recheck?.unref();
  return {
    url: `${pem === undefined ? 'http' : 'https'}://${hostPort(options.host, port)}/`,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(recheck);
        monitor.stop();
        // Open event streams would keep close() waiting for ever.
        server.closeAllConnections();
        server.close(() => {
          reader.close();
          resolve();
        });
      }),
  };
}

/** A PEM of certificates and a key as Node's TLS takes them. */
function secureContext(pem: string): { cert: string; key: string; minVersion: 'TLSv1.2' } {
  return { cert: certificateBlocks(pem).join('\n'), key: keyBlock(pem) ?? '', minVersion: 'TLSv1.2' };
}
