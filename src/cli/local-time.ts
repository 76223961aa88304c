const two = (v: number) => String(v).padStart(2, '0');

/** "17:15:50", local time: what a person compares with their clock. */
export function localClock(d: Date): string {
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** "2026-12-02 17:15:50", local time: what `ps` and `date` show beside it. */
export function localDateTime(d: Date): string {
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${localClock(d)}`;
}
