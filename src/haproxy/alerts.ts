/**
 * HAProxy's own account of what went wrong, from its output: the [ALERT]
 * lines, without the level and the process ID (the [NOTICE] and [WARNING]
 * lines around them say what it was doing, not why it failed).
 *   [ALERT]    (2435) : config : parsing [x.cfg:4] : unknown keyword 'foo' in 'frontend' section
 *   -> config : parsing [x.cfg:4] : unknown keyword 'foo' in 'frontend' section
 */
export function alertLines(output: string): string[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('[ALERT]'))
    .map((l) => l.replace(/^\[ALERT\]\s+\(\d+\) : /, '').trimEnd());
}
