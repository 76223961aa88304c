#!/usr/bin/env node
// Part of `npm run build`: writes dist/spec/cluster-validator.js, the ajv
// validators of schema/cluster.schema.json (see Validators in src/spec/schema.ts) compiled ahead of time with the
// same set-up as src/spec/schema.ts (createAjv), so the CLI does not compile
// the schema on every run.
import { writeFileSync } from 'node:fs';
import { _ } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

const { createAjv, readSchema, validatorRefs } = await import('../dist/spec/schema.js');
const ajv = await createAjv({ source: true, esm: true, formats: _`AJV_FORMATS` });
const schema = readSchema();
ajv.addSchema(schema);
const code = standaloneCode.default(ajv, validatorRefs(schema));
const out = new URL('../dist/spec/cluster-validator.js', import.meta.url);
writeFileSync(out, `import { AJV_FORMATS } from './formats.js';\n${code}\n`);
