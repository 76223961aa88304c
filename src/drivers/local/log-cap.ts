import { rotatedLog } from '../../util/log-file.js';
import type { Command } from '../../util/runner.js';

/**
 * A long-lived process's log, capped on disk. lb-web writes a line per
 * request: appended to one file, its log grew without end (6.9 MB in an
 * afternoon's benchmarks). Beside each node runs a small shell loop that
 * looks at the log's size every few seconds and, once it has reached the
 * cap, copies it to LOG.1 (the one older file kept) and empties it
 * (logrotate's "copytruncate"). The node appends (O_APPEND), so its next
 * line lands at the start of the emptied file.
 *
 * Why this shape, measured on a 2-core machine: a pipe from the node to a
 * capper (coreutils split, then cat) cost 6 to 18 µs of CPU per line: 6%
 * of the CPU the whole cluster used at 2,300 requests/s through lb-web (two
 * log lines per request, lb-web's and the node's). The loop costs a `stat`
 * and a `sleep` every few seconds per node (about 1.3 ms of CPU each time),
 * and the node writes straight to its file as before. The price: the file may pass the cap by what is
 * written in one interval, and lines written between the copy and the
 * truncation (well under a millisecond) are lost. MariaDB reopens its
 * error log (which is this file) in append mode too, so it is capped alike.
 *
 * The loop runs in a session of its own, not in the node's process group:
 * hactl takes a group with a live process for a running node. It ends by
 * itself once the node's group is gone.
 */

/** A log is copied to LOG.1 and emptied once it holds this much. */
export const LOG_CAP_BYTES = 8 * 1024 * 1024;
/** How often the loop looks. */
export const LOG_CHECK_SECONDS = 5;

// Run as `sh -c SCRIPT hactl-log-cap PGID LOG OLD CAP SECONDS`.
const SCRIPT = `
while kill -0 "-$1" 2>/dev/null; do
  size=$(stat -c %s -- "$2" 2>/dev/null) || size=0
  if [ "$size" -ge "$4" ]; then cp -- "$2" "$3" && : > "$2"; fi
  sleep "$5"
done
`;

/** The loop that caps LOGFILE for as long as process group PGID lives. */
export function logCapper(pgid: number, logFile: string, capBytes = LOG_CAP_BYTES, checkSeconds = LOG_CHECK_SECONDS): Command {
  return ['sh', ['-c', SCRIPT, 'hactl-log-cap', String(pgid), logFile, rotatedLog(logFile), String(capBytes), String(checkSeconds)]];
}
