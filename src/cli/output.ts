import { createRequire } from 'node:module';
import type TableType from 'cli-table3';
import { fitColumns, type TableFit } from './fit.js';

/** The styles the CLI uses; chalk's instance is one, and so is the plain one below. */
export type Palette = Record<'green' | 'red' | 'yellow' | 'bold' | 'dim', (text: string) => string>;

/**
 * Everything the CLI prints goes through here: tables for people, JSON for
 * scripts, colour only on a TTY and never with NO_COLOR.
 */
export interface Output {
  json: boolean;
  color: Palette;
  /** Columns of the terminal now (it may be resized); $COLUMNS when not a terminal; undefined: no limit. */
  readonly width: number | undefined;
  print(line?: string): void;
  error(line: string): void;
  printJson(value: unknown): void;
  /** With FIT, at most `width` wide: the shrinkable columns' text is cut, marked with an ellipsis. */
  table(head: string[], rows: (string | number)[][], fit?: TableFit): void;
}

export function useColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

const same = (text: string) => text;
/** What chalk at level 0 gives: the text unchanged. */
const PLAIN: Palette = { green: same, red: same, yellow: same, bold: same, dim: same };

/** A positive whole number of columns, or undefined. */
export function terminalWidth(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const columns = stream.isTTY ? stream.columns : Number(env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : undefined;
}

export async function createOutput(json: boolean, stdout = process.stdout, stderr = process.stderr): Promise<Output> {
  // chalk is loaded only for a terminal: scripts, pipes and tests never pay its start-up.
  const color = useColor(stdout) ? new (await import('chalk')).Chalk({ level: 1 }) : PLAIN;
  return {
    json,
    color,
    get width() {
      return terminalWidth(stdout);
    },
    print: (line = '') => void stdout.write(`${line}\n`),
    error: (line) => void stderr.write(`${line}\n`),
    printJson: (value) => void stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    table(head, rows, fit) {
      // Required on first use: JSON output never draws a table.
      const Table = createRequire(import.meta.url)('cli-table3') as typeof TableType;
      const cells = rows.map((r) => r.map(String));
      const t = new Table({
        head: head.map((h) => color.bold(h)),
        style: { head: [], border: [] },
        ...(fit ? { colWidths: fitColumns([head, ...cells], terminalWidth(stdout), fit) } : {}),
      });
      t.push(...cells);
      stdout.write(`${t.toString()}\n`);
    },
  };
}
