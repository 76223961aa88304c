import { dirname } from 'node:path';
import { alertLines } from '../haproxy/alerts.js';
import type { Runner } from '../util/runner.js';

export interface ConfigCheck {
  file: string;
  ok: boolean;
  /** The checker's own words on failure: its [ALERT] lines (-q would silence them too). */
  output: string;
}

/**
 * `haproxy -c` on one file. undefined when haproxy is not installed, so a
 * caller can say the check was skipped rather than claim it passed.
 */
export async function checkHaproxyConfig(runner: Runner, file: string): Promise<ConfigCheck | undefined> {
  const r = await runner.run(['haproxy', ['-c', '-f', file]], { timeoutMs: 20_000 });
  if (r.notFound) return undefined;
  const output = alertLines(`${r.stdout}\n${r.stderr}`).join('\n');
  return { file, ok: r.exitCode === 0, output: output || `${r.stdout}${r.stderr}`.trim() };
}

/**
 * `apache2 -t -f` on one file (Debian keeps apache2 in /usr/sbin). Its
 * verdict is the exit code: with debug log levels it prints lines on stderr
 * even for a good file. undefined when apache2 is not installed.
 */
export async function checkApacheConfig(runner: Runner, file: string): Promise<ConfigCheck | undefined> {
  // The files rendered beside it (lb-web's certificate) are read from where it is, not where it will be.
  const beside = ['-C', `Define HACTL_CONFIG_DIR ${dirname(file)}`];
  for (const bin of ['apache2', '/usr/sbin/apache2']) {
    const r = await runner.run([bin, [...beside, '-t', '-f', file]], { timeoutMs: 20_000 });
    if (r.notFound) continue;
    return { file, ok: r.exitCode === 0, output: `${r.stdout}${r.stderr}`.trim() };
  }
  return undefined;
}
