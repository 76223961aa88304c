/** One row of HAProxy's `show stat` CSV, by column name. */
export type StatRow = Record<string, string>;

/** Parse `show stat` output: a "# pxname,svname,..." header, then one CSV row per proxy or server. */
export function parseShowStat(text: string): StatRow[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.replace(/^#\s*/, '').split(',') ?? [];
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}
