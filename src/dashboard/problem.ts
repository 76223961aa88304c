import { HactlError } from '../errors.js';
import type { Problem } from './snapshot-model.js';

/** ERR as the page shows it: a HactlError's details are its substance ("cluster.yaml:3:5 web[0].name: …"), never dropped. */
export function problemOf(err: unknown): Problem {
  return { message: err instanceof Error ? err.message : String(err), details: err instanceof HactlError ? err.details : [] };
}
