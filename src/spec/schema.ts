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

/**
 * The validators: the file with its node lists' items left out, and one
 * node of each list. Node by node, because ajv gathers the errors of a
 * failing $ref by copying every error so far: one validation of a long
 * list of bad nodes took time quadratic in their number.
 */
export interface Validators {
  cluster: ValidateFunction;
  web: ValidateFunction;
  db: ValidateFunction;
}

/** Each validator's schema, by its reference in the published schema. */
export function validatorRefs(schema: { $id?: string }): Record<keyof Validators, string> {
  const id = schema.$id!;
  return { cluster: id, web: `${id}#/properties/web/items`, db: `${id}#/properties/db/items` };
}

// `npm run build` precompiles the schema (scripts/precompile-validator.mjs):
// compiling it costs ~60 ms, a fifth of `hactl status`. Run from source
// (the tests), it is compiled on first use instead, from the same set-up.
const precompiled = (await import(new URL('./cluster-validator.js', import.meta.url).href).then(
  (m: Validators) => m,
  () => undefined,
)) as Validators | undefined;

async function compileValidators(): Promise<Validators> {
  const ajv = await createAjv();
  const schema = readSchema() as { $id: string };
  ajv.addSchema(schema);
  const refs = validatorRefs(schema);
  const get = (ref: string) => ajv.getSchema(ref)!;
  return { cluster: get(refs.cluster), web: get(refs.web), db: get(refs.db) };
}

const validators: Validators = precompiled ?? (await compileValidators());

const TIERS = ['web', 'db'] as const;

/** Every error of RAW: the file with each node replaced by a valid one, then each node on its own. */
function validationErrors(raw: unknown): ErrorObject[] {
  const file = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
  const lists = TIERS.filter((tier) => Array.isArray(file?.[tier]));
  const shallow = file && lists.length > 0 ? { ...file, ...Object.fromEntries(lists.map((tier) => [tier, (file[tier] as unknown[]).map(() => 'n')])) } : raw;
  const errors = validators.cluster(shallow) ? [] : [...(validators.cluster.errors ?? [])];
  for (const tier of lists) {
    (file![tier] as unknown[]).forEach((item, i) => {
      if (validators[tier](item)) return;
      for (const e of validators[tier].errors ?? []) errors.push({ ...e, instancePath: `/${tier}/${i}${e.instancePath}` });
    });
  }
  return errors;
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
      if (err.instancePath === '' && err.data === null) return 'the file is empty: it needs at least a web: list (hactl init writes a starter)';
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
  let errors = validationErrors(raw);
  if (errors.length === 0) return [];

  // A short form (a name) or a mapping: report only the branch that matches
  // the value's type instead of "must be string" and "must be object" both.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const branchMismatch = (e: ErrorObject) => e.keyword === 'type' && anyOfPaths.has(e.instancePath);
  // Each error explains the anyOf at its own path or at one of its ancestors': walked up, not searched.
  const ancestors = (pointer: string) => pointer.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  const explained = new Set(
    errors.filter((e) => e.keyword !== 'anyOf' && !branchMismatch(e)).flatMap((e) => ancestors(e.instancePath).filter((p) => anyOfPaths.has(p))),
  );
  errors = errors.filter((e) => {
    if (e.keyword === 'anyOf') return !explained.has(e.instancePath);
    return !branchMismatch(e);
  });

  return errors.map((err) => {
    const path = toPath(err.instancePath);
    if (err.keyword === 'anyOf') {
      const types = ((err.schema as { $ref?: string; type?: string; minimum?: number; maximum?: number }[]) ?? []).map((b) => {
        if (b.$ref?.endsWith('/name')) return 'a node name';
        if (b.$ref) return 'a mapping';
        if (b.type === 'boolean') return 'true or false';
        // A duration's number is milliseconds; another whole number says its own range (tls.hsts: seconds).
        if (b.type === 'integer') return b.maximum === 3_600_000 ? 'a number of milliseconds' : `a whole number from ${b.minimum} to ${b.maximum}`;
        return 'a duration like 250ms';
      });
      return { path, message: `${show(err.data)} must be ${types.join(' or ')}` };
    }
    if (err.keyword === 'additionalProperties') {
      const key = String((err.params as { additionalProperty: string }).additionalProperty);
      return { path: [...path, key], key, message: message(err) };
    }
    return { path, message: message(err) };
  });
}
