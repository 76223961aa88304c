import { readFile } from 'node:fs/promises';

/** A small file's text, or undefined when it is not there (or cannot be read). */
export async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}
