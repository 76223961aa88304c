/** Fitting what the CLI prints to a terminal's width: pure, so that tests need no terminal. */

// SGR sequences only: the palette's colours and bold are all the CLI writes.
const SGR = /\x1b\[[0-9;]*m/g;

/** Characters a line takes on screen: colour codes take none. */
export function visibleLength(text: string): number {
  return [...text.replace(SGR, '')].length;
}

/** Which columns may give up width when a table is too wide, in order: the first down to its minimum, then the next; and how wide they are at most anyway. */
export interface TableFit {
  shrink: readonly number[];
  /** Characters of text a shrinkable column shows at most, whatever the width: a long reason is cut here. */
  cap?: number;
}

const PADDING = 2;
/** A column never shrinks below its header, nor below this many characters. */
const MIN_TEXT = 8;

/**
 * cli-table3's colWidths (text plus padding) for CELLS (the header row first)
 * so that the table is at most WIDTH characters wide. A table that cannot
 * fit, even with every shrinkable column at its minimum, is as narrow as it
 * can be.
 */
export function fitColumns(cells: readonly (readonly string[])[], width: number | undefined, fit: TableFit): number[] {
  const columns = cells[0]?.length ?? 0;
  const longest = (c: number) => Math.max(0, ...cells.map((row) => Math.max(...(row[c] ?? '').split('\n').map(visibleLength))));
  const widths = Array.from({ length: columns }, (_, c) => {
    const natural = longest(c) + PADDING;
    return fit.cap !== undefined && fit.shrink.includes(c) ? Math.min(natural, Math.max(fit.cap, minText(cells, c)) + PADDING) : natural;
  });
  if (width === undefined) return widths;
  // Borders: one left of each column and one at the right end.
  let over = widths.reduce((a, b) => a + b, 0) + columns + 1 - width;
  for (const c of fit.shrink) {
    const given = Math.max(0, Math.min(over, widths[c]! - minText(cells, c) - PADDING));
    widths[c]! -= given;
    over -= given;
  }
  return widths;
}

function minText(cells: readonly (readonly string[])[], c: number): number {
  return Math.max(MIN_TEXT, visibleLength(cells[0]?.[c] ?? ''));
}

/**
 * TEXT broken at spaces into lines of at most WIDTH characters, every line
 * after the first indented by INDENT spaces; a word longer than a line is
 * cut. No WIDTH: one line.
 */
export function wrap(text: string, width: number | undefined, indent = 2): string[] {
  if (width === undefined || visibleLength(text) <= width) return [text];
  const room = Math.max(width - indent, 10);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const limit = lines.length === 0 ? width : room;
    if (line === '') line = word;
    else if (visibleLength(line) + 1 + visibleLength(word) <= limit) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
    while (visibleLength(line) > (lines.length === 0 ? width : room)) {
      const cut = lines.length === 0 ? width : room;
      lines.push([...line].slice(0, cut).join(''));
      line = [...line].slice(cut).join('');
    }
  }
  if (line !== '') lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : `${' '.repeat(indent)}${l}`));
}
