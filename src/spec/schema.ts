import { readFileSync } from 'node:fs';
import type { Ajv, CodeOptions, ErrorObject, ValidateFunction } from 'ajv';
import { didYouMean } from '../util/did-you-mean.js';
import { AJV_FORMATS, formatMessage } from './formats.js';
import type { Problem } from './problem.js';

/** The published JSON Schema (schema/cluster.schema.json): the single source of the file's structure. */
export const SCHEMA_URL = new URL('../../schema/cluster.schema.json', import.meta.url);

/** The one ajv set-up, for compiling at run time and for precompiling at build time. */
export async function createAjv(code?: CodeOptions): Promise<Ajv> {
  // Loaded only here: with the precompiled validator the CLI never needs ajv itself.
  const { Ajv } = await import('ajv');
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTuples: false, ...(code ? { code } : {}) });
  for (const [name, format] of Object.entries(AJV_FORMATS)) ajv.addFormat(name, format);
  return ajv;
}

export function readSchema(): object {
  return JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object;
}

// `npm run build` precompiles the schema (scripts/precompile-validator.mjs):
// compiling it costs ~60 ms, a fifth of `hactl status`. Run from source
// (the tests), it is compiled on first use instead, from the same set-up.
const precompiled = (await import(new URL('./cluster-validator.js', import.meta.url).href).then(
  (m: { default: ValidateFunction }) => m.default,
  () => undefined,
)) as ValidateFunction | undefined;

const compiled: ValidateFunction = precompiled ?? (await createAjv()).compile(readSchema());

function validator(): ValidateFunction {
  return compiled;
}

/** '/web/2/port' -> ['web', 2, 'port'] */
function toPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

const TYPE_NAMES: Record<string, string> = { object: 'a mapping', array: 'a list', string: 'a string', integer: 'a whole number', number: 'a number', boolean: 'true or false' };

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function message(err: ErrorObject): string {
  const p = err.params as Record<string, unknown>;
  const parent = err.parentSchema as Record<string, unknown> | undefined;
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const known = Object.keys((parent?.properties as object | undefined) ?? {});
      const guess = didYouMean(key, known);
      return `unknown key ${show(key)}${guess ? ` (did you mean ${show(guess)}?)` : ''}; known keys: ${known.join(', ')}`;
    }
    case 'required':
      return `missing required key ${show(p.missingProperty)}`;
    case 'type':
      return `${show(err.data)} must be ${String(p.type).split(',').map((t) => TYPE_NAMES[t] ?? t).join(' or ')}`;
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map(String);
      const guess = typeof err.data === 'string' ? didYouMean(err.data, allowed) : undefined;
      return `${show(err.data)} is not one of ${allowed.join(', ')}${guess ? ` (did you mean ${show(guess)}?)` : ''}`;
    }
    case 'format':
      return formatMessage(String(p.format), String(err.data));
    case 'minimum':
    case 'maximum':
      return `${show(err.data)} is out of range: must be from ${String(parent?.minimum)} to ${String(parent?.maximum)}`;
    case 'minItems':
      return `needs at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}`;
    default:
      return err.message ?? err.keyword;
  }
}

/**
 * Structural problems of RAW against the schema. The path of an unknown key
 * is that of its mapping plus the key, so that its position is the key's own.
 */
export function schemaProblems(raw: unknown): (Problem & { key?: string })[] {
  const validate = validator();
  if (validate(raw)) return [];
  let errors = validate.errors ?? [];

  // A short form (a name) or a mapping: report only the branch that matches
  // the value's type instead of "must be string" and "must be object" both.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const branchMismatch = (e: ErrorObject) => e.keyword === 'type' && anyOfPaths.has(e.instancePath);
  const explained = new Set(
    errors
      .filter((e) => e.keyword !== 'anyOf' && !branchMismatch(e))
      .flatMap((e) => [...anyOfPaths].filter((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`))),
  );
  errors = errors.filter((e) => {
    if (e.keyword === 'anyOf') return !explained.has(e.instancePath);
    return !branchMismatch(e);
  });

  return errors.map((err) => {
    const path = toPath(err.instancePath);
    if (err.keyword === 'anyOf') {
      const types = ((err.schema as { $ref?: string; type?: string }[]) ?? []).map((b) =>
        b.$ref?.endsWith('/name') ? 'a node name' : b.$ref ? 'a mapping' : b.type === 'integer' ? 'a number of milliseconds' : 'a duration like 250ms',
      );
      return { path, message: `${show(err.data)} must be ${types.join(' or ')}` };
    }
    if (err.keyword === 'additionalProperties') {
      const key = String((err.params as { additionalProperty: string }).additionalProperty);
      return { path: [...path, key], key, message: message(err) };
    }
    return { path, message: message(err) };
  });
}
