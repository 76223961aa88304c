/** One thing wrong with a cluster file, with where it is. */
export interface Problem {
  /** Path in the document, e.g. ['web', 2, 'port']. */
  path: readonly (string | number)[];
  message: string;
  line?: number;
  col?: number;
}

/** ['web', 2, 'port'] -> "web[2].port" */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out === '' ? '(file)' : out;
}

/** "cluster.yaml:14:11 web[2].port: 8081 is already used by web1" */
export function formatProblem(file: string, p: Problem): string {
  const where = p.line !== undefined ? `${file}:${p.line}:${p.col ?? 1}` : file;
  return `${where} ${formatPath(p.path)}: ${p.message}`;
}
