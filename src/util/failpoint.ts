import { HactlError } from '../errors.js';

/**
 * Fault injection for tests, the failpoint pattern (etcd's gofail,
 * TiKV's fail-rs): HACTL_FAILPOINT=STEP[,STEP…] makes the first run of
 * that step in this process fail where it stands, as its program would, so
 * that a test can show what a failure there leaves behind on a real
 * cluster (and the putting back that follows runs the step unhindered).
 * The steps: check (haproxy -c / apache2 -t rejects), write (the files
 * were moved into place, then the write fails), start (a node's start
 * fails once the configs are written), reload (a balancer reloaded, then
 * the step fails), clone (a new DB node's copy fails). Unset, it costs a
 * lookup.
 */
const fired = new Set<string>();

export function failpointSet(step: string): boolean {
  const set = process.env.HACTL_FAILPOINT;
  if (set === undefined || fired.has(step) || !set.split(',').includes(step)) return false;
  fired.add(step);
  return true;
}

export function failpoint(step: string): void {
  if (failpointSet(step)) throw new HactlError(`${step} failed (injected by HACTL_FAILPOINT=${process.env.HACTL_FAILPOINT})`);
}
