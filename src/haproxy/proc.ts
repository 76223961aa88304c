/** The master CLI's `show proc`: the master's failed-reload count and its current and old workers. */
export interface ProcTable {
  reloads: number;
  failedReloads: number;
  workers: number[];
  oldWorkers: number[];
}

/**
 * Parse `show proc` (HAProxy 2.6):
 *   #<PID>  <type>  <reloads>  <uptime>  <version>
 *   13901   master  5 [failed: 2]  0d00h10m15s  2.6.12
 *   # workers
 *   14020   worker  2  0d00h00m05s  2.6.12
 *   # old workers
 *   …
 * A failed reload re-executes the master (both counters grow) and keeps the
 * same worker, so "a new worker pid and no new failure" is a successful reload.
 */
export function parseShowProc(text: string): ProcTable {
  const table: ProcTable = { reloads: 0, failedReloads: 0, workers: [], oldWorkers: [] };
  let section: 'master' | 'workers' | 'old' | 'other' = 'master';
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('#<')) continue;
    if (line.startsWith('#')) {
      section = line === '# workers' ? 'workers' : line === '# old workers' ? 'old' : 'other';
      continue;
    }
    const [pid, type, reloads] = line.split(/\s+/);
    if (section === 'master' && type === 'master') {
      table.reloads = Number(reloads);
      table.failedReloads = Number(/\[failed: (\d+)\]/.exec(line)?.[1] ?? 0);
    } else if (type === 'worker' && (section === 'workers' || section === 'old')) {
      (section === 'workers' ? table.workers : table.oldWorkers).push(Number(pid));
    }
  }
  return table;
}
