import { readFileSync } from 'node:fs';

export interface ProcStat {
  /** R, S, D, Z (zombie: exited, not yet reaped) … */
  state: string;
  pgrp: number;
  /** When the process started, in clock ticks since boot: with the pid, it names one process even once the pid is reused. */
  startTicks: number;
}

/** /proc/PID/stat, or undefined when there is no such process. The command name may hold spaces and parentheses. */
export function procStat(pid: number | string): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, pgrp: Number(fields[2]), startTicks: Number(fields[19]) };
  } catch {
    return undefined;
  }
}
