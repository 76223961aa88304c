import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { HactlError } from '../errors.js';
import type { Project } from '../ops/project.js';
import type { Runtime } from '../spec/model.js';
import { hostPort } from '../util/net.js';
import type { Runner } from '../util/runner.js';
import { createApp } from './app.js';
import { clientNetworks } from './client-networks.js';
import { dashboardCredentials } from './credentials.js';
import { LiveFeed } from './live.js';
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
}

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
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: options.host, port: options.port }) as Server;
    s.once('listening', () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new HactlError(`${hostPort(options.host, options.port)} is already in use: another dashboard, or another program (--port chooses another)`)
          : new HactlError(`the dashboard cannot listen on ${hostPort(options.host, options.port)}: ${err.message}`),
      ),
    );
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${hostPort(options.host, port)}/`,
    close: () =>
      new Promise<void>((resolve) => {
        // Open event streams would keep close() waiting for ever.
        server.closeAllConnections();
        server.close(() => {
          reader.close();
          resolve();
        });
      }),
  };
}
