import { join } from 'node:path';
import { request } from './http.js';
import { MAIN, sleep, type TestCluster } from './cluster.js';
import { startDaemon } from './process-group.js';
import { servedFingerprint } from './tls.js';

export interface TestDashboard {
  /** e.g. http://127.0.91.1:19000/ */
  readonly url: string;
  readonly user: string;
  readonly password: string;
  /** The dashboard's own process (node running the CLI). */
  readonly pid: number;
  /** The tail of the dashboard's own output (for failure messages). */
  log(lines?: number): string;
  /** SIGTERM to the dashboard's process group; resolves once none of it is left. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * `hactl dashboard` of CLUSTER, as users run it (the compiled CLI, in the
 * project folder, in the foreground, in a process group of its own), on the
 * cluster's own entry address and PORT, with ARGS. Resolves once it
 * answers (with 403 too: --allow may shut the test's client out).
 */
export async function startDashboard(cluster: TestCluster, port = 19000, ...args: string[]): Promise<TestDashboard> {
  const shown = await cluster.hactl('dashboard', '--show-credentials', '--json');
  if (shown.code !== 0) throw new Error(`hactl dashboard --show-credentials failed:\n${shown.stderr}`);
  const { user, password } = JSON.parse(shown.stdout) as { user: string; password: string };
  // --tls: served over HTTPS; it answers once a TLS handshake does.
  const tls = args.includes('--tls');
  const url = `${tls ? 'https' : 'http'}://${cluster.listen}:${port}/`;
  const daemon = startDaemon('node', [MAIN, 'dashboard', '--host', cluster.listen, '-p', String(port), ...args], {
    cwd: cluster.dir,
    env: { ...process.env, NO_COLOR: '1' },
    logFile: join(cluster.dir, `dashboard-${port}.log`),
  });
  let stopped: Promise<void> | undefined;
  const dashboard: TestDashboard = {
    url,
    user,
    password,
    pid: daemon.pid,
    log: (lines) => daemon.log(lines),
    stop: () => (stopped ??= daemon.stop()),
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    const status = tls
      ? await servedFingerprint(cluster.listen, port).then(
          () => 200,
          () => 0,
        )
      : await request(url, { timeoutMs: 1_000 }).then(
          (r) => r.status,
          () => 0,
        );
    if (status !== 0) return dashboard;
    if (daemon.hasExited() || Date.now() > deadline) {
      await dashboard.stop();
      throw new Error(`hactl dashboard did not answer on ${url} (${daemon.hasExited() ? `it exited: ${await daemon.exited}` : 'timed out'}):\n${daemon.log()}`);
    }
    await sleep(100);
  }
}
