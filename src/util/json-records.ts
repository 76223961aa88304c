import { readFileSync } from 'node:fs';

/**
 * FILE's JSON object of records, keeping only the entries VALID accepts.
 * hactl's own state files are rebuilt from what runs when they are lost, so
 * a missing, torn or hand-edited one reads as no records rather than
 * failing every command (`null`, a list or `{"web1": 5}` included).
 */
export function readRecords<T>(file: string, valid: (value: unknown) => value is T): Record<string, T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  return Object.fromEntries(Object.entries(parsed).filter(([, v]) => valid(v))) as Record<string, T>;
}

/** A plain JSON object (for VALID functions to look into). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
