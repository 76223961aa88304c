import { badInput } from '../errors.js';

/** VALUE as a whole number from MIN to MAX, or bad input naming FIELD and the value. */
export function wholeNumber(field: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw badInput(`${field}: ${JSON.stringify(value)} is not a whole number from ${min} to ${max}`);
  return n;
}

/** The same as a command-line option's parser: `.option('--port <n>', …, wholeNumberOption('--port', 1, 65535))`. */
export function wholeNumberOption(option: string, min: number, max: number): (value: string) => number {
  return (value) => wholeNumber(option, value, min, max);
}
