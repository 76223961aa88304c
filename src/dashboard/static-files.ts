import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Context } from 'hono';
import { PACKAGE_ROOT } from '../paths.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface StaticFiles {
  serve(c: Context, name: string): Response;
  /** index.html with BOOT (the logged-in page's CSRF token and first snapshot) in it, or without when there is none. */
  page(c: Context, boot: object | undefined): Response;
}

const BOOT_SLOT = '<script type="application/json" id="boot"></script>';

/**
 * JSON that can sit inside a <script> element: no "</script>", no comment
 * opener, no line separators that end a JavaScript string. The page reads it
 * with JSON.parse, never runs it.
 */
export function scriptSafeJson(value: object): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * The page's few files, read once into memory: the page (src/dashboard/public)
 * and its compiled scripts (dist/browser/dashboard/client). Only names found there
 * are served, so no path from a request ever reaches the file system.
 */
export function loadStaticFiles(): StaticFiles {
  const files = new Map<string, { body: string; type: string }>();
  const dirs = [join(PACKAGE_ROOT, 'src/dashboard/public'), join(PACKAGE_ROOT, 'dist/browser/dashboard/client')];
  for (const dir of dirs) {
    for (const name of readdirSync(dir)) {
      const type = TYPES[extname(name)];
      if (type) files.set(name, { body: readFileSync(join(dir, name), 'utf8'), type });
    }
  }
  const index = files.get('index.html')!;
  if (!index.body.includes(BOOT_SLOT)) throw new Error(`index.html has no ${BOOT_SLOT}`);
  return {
    page(c, boot) {
      const body = boot ? index.body.replace(BOOT_SLOT, BOOT_SLOT.replace('></script>', `>${scriptSafeJson(boot)}</script>`)) : index.body;
      // It may hold a CSRF token and the cluster's state: never kept by a cache.
      return c.body(body, 200, { 'Content-Type': index.type, 'Cache-Control': 'no-store' });
    },
    serve(c, name) {
      const file = files.get(name);
      if (!file) return c.json({ error: { message: `no such file: ${name}`, details: [], fields: {} } }, 404);
      return c.body(file.body, 200, { 'Content-Type': file.type, 'Cache-Control': 'no-cache' });
    },
  };
}
