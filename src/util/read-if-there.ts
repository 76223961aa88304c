import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';

/** A small file's text, or undefined when it is not there (or cannot be read). */
export async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** readIfThere, for callers that cannot wait (a render). */
export function readIfThereSync(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
