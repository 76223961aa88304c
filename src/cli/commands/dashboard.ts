import type { Command } from 'commander';
import { isIP } from 'node:net';
import { badInput } from '../../errors.js';
import { wholeNumberOption } from '../../util/whole-number.js';
import { contextOf, examples, type Context } from '../context.js';

export interface DashboardCliOptions {
  host: string;
  port?: number;
  allow: string[];
  /** --host-name; `up --dashboard` has none. */
  hostNames?: string[];
  /** --tls; without it, tls.dashboard in cluster.yaml decides. */
  tls?: boolean;
}

/** Serve the dashboard in the foreground until Ctrl-C; the cluster keeps running after it. */
export async function serveDashboard({ project, out, runner, runtime }: Context, opts: DashboardCliOptions): Promise<void> {
  const { loadClusterFile } = await import('../../spec/load.js');
  const { LOGIN_HINT } = await import('../../dashboard/credentials.js');
  const { startDashboard } = await import('../../dashboard/server.js');
  const cluster = loadClusterFile(project.file).cluster;
  const port = opts.port ?? cluster.ports.dashboard;
  const tls = opts.tls === true || cluster.tls?.dashboard === true ? await (await import('../../ops/cert.js')).dashboardCert(project, cluster, runner) : undefined;
  const dashboard = await startDashboard(project, { host: opts.host, port, allow: opts.allow, hostNames: opts.hostNames ?? [], runtime, tls }, runner);
  if (out.json) out.printJson({ url: dashboard.url, allow: opts.allow });
  else {
    out.print(`${out.color.green('✓')} dashboard: ${dashboard.url}  (Ctrl-C stops it; the cluster keeps running)`);
    if (opts.allow.length) out.print(`  allowed clients: ${opts.allow.join(', ')}`);
    if (opts.hostNames?.length) out.print(`  also served as: ${opts.hostNames.join(', ')}`);
    out.print(`  login: ${LOGIN_HINT}`);
  }
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
  await dashboard.close();
}

export function checkedHost(host: string): string {
  if (isIP(host) === 0 && host !== 'localhost') throw badInput(`--host: ${JSON.stringify(host)} is not an IP address (or localhost)`);
  return host;
}

export function register(program: Command): void {
  program
    .command('dashboard')
    .description('serve the web dashboard: live status, add/remove/drain nodes, reload, session mode (login required)')
    .option('--host <address>', 'the address to listen on (0.0.0.0 for every interface: add --allow then)', '127.0.0.1')
    .option('-p, --port <port>', "the dashboard's port (default: ports.dashboard in cluster.yaml)", wholeNumberOption('--port', 1, 65535))
    .option('--allow <network>', 'a client network allowed in, like 10.0.0.0/8 (repeat it; default: any client that can reach it)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option(
      '--host-name <name>',
      'a name the dashboard is also reached by, e.g. through a reverse proxy (repeat it; other names are refused, against DNS rebinding)',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option('--tls', "serve it over HTTPS with lb-web's certificate (tls: in cluster.yaml), or hactl's own for the address and localhost; the session cookie is then Secure (tls.dashboard: true does the same)")
    .option('--show-credentials', 'print the dashboard login and exit')
    .addHelpText(
      'after',
      examples(
        'hactl dashboard',
        'hactl dashboard --port 9001',
        'hactl dashboard --host 0.0.0.0 --allow 192.168.1.0/24',
        'hactl dashboard --host-name dash.example.org',
        'hactl dashboard --tls',
        'hactl dashboard --show-credentials',
      ),
    )
    .action(async (opts: { host: string; port?: number; allow: string[]; hostName: string[]; tls?: boolean; showCredentials?: boolean }, command: Command) => {
      const ctx = await contextOf(command);
      if (opts.showCredentials) {
        // The login belongs to a cluster: without its cluster.yaml, say so and make no secrets.json (in a folder that may not exist).
        const { readClusterFile } = await import('../../spec/read.js');
        readClusterFile(ctx.project.file);
        const { dashboardCredentials } = await import('../../dashboard/credentials.js');
        const { user, password } = dashboardCredentials(ctx.project.stateDir);
        if (ctx.out.json) ctx.out.printJson({ user, password: password.reveal() });
        else ctx.out.print(`user: ${user}\npassword: ${password.reveal()}`);
        return;
      }
      await serveDashboard(ctx, { host: checkedHost(opts.host), port: opts.port, allow: opts.allow, hostNames: opts.hostName, tls: opts.tls === true });
    });
}
