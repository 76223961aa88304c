import Handlebars from 'handlebars';
import { dangerousCharacters } from '../spec/formats.js';
import { unquotablePathCharacters } from '../util/config-path.js';

/**
 * Handlebars set up for config files rather than HTML: no HTML escaping
 * (validation keeps values clean instead), and strict, so a misspelt
 * variable fails the render instead of leaving a blank in a config.
 */
const hbs = Handlebars.create();

/**
 * A file path in haproxy.cfg or my.cnf. Paths come from where the project
 * lives, not from validated cluster.yaml, so they are quoted when needed
 * (single quotes: no variable expansion in HAProxy) and refused when no
 * quoting makes them safe.
 */
hbs.registerHelper('path', (value: unknown) => {
  const s = String(value);
  if (/^[A-Za-z0-9._/@+-]+$/.test(s)) return s;
  // The project's folder was refused for these already (projectFor); this is the last guard.
  const bad = unquotablePathCharacters(s);
  if (bad.length > 0) throw new Error(`the path ${JSON.stringify(s)} cannot be written safely into a config file (it has ${bad.join(' and ')}): move the project to a plainer folder`);
  return `'${s}'`;
});

export type Template = (context: object) => string;

export function compile(source: string): Template {
  const template = hbs.compile(source, { noEscape: true, strict: true });
  return (context) => template(context);
}

/**
 * Defence in depth: whatever builds a Cluster (a file, an edit, the
 * dashboard), no string in it may carry characters that could break out of
 * a config line. Validation reports these properly; this refuses to render.
 */
export function assertConfigSafe(value: unknown, path = 'cluster'): void {
  if (typeof value === 'string') {
    const bad = dangerousCharacters(value);
    if (bad.length > 0) throw new Error(`refusing to render: ${path} = ${JSON.stringify(value)} contains ${bad.join(' and ')}`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => assertConfigSafe(v, `${path}[${i}]`));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) assertConfigSafe(v, `${path}.${k}`);
  }
}
