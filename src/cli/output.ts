import { Chalk, type ChalkInstance } from 'chalk';
import { createRequire } from 'node:module';
import type TableType from 'cli-table3';

/**
 * Everything the CLI prints goes through here: tables for people, JSON for
 * scripts, colour only on a TTY and never with NO_COLOR.
 */
export interface Output {
  json: boolean;
  color: ChalkInstance;
  print(line?: string): void;
  error(line: string): void;
  printJson(value: unknown): void;
  table(head: string[], rows: (string | number)[][]): void;
}

export function useColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

export function createOutput(json: boolean, stdout = process.stdout, stderr = process.stderr): Output {
  const color = new Chalk({ level: useColor(stdout) ? 1 : 0 });
  return {
    json,
    color,
    print: (line = '') => void stdout.write(`${line}\n`),
    error: (line) => void stderr.write(`${line}\n`),
    printJson: (value) => void stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    table(head, rows) {
      // Required on first use: JSON output never draws a table.
      const Table = createRequire(import.meta.url)('cli-table3') as typeof TableType;
      const t = new Table({
        head: head.map((h) => color.bold(h)),
        style: { head: [], border: [] },
      });
      t.push(...rows.map((r) => r.map(String)));
      stdout.write(`${t.toString()}\n`);
    },
  };
}
