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
  return {
    serve(c, name) {
      const file = files.get(name);
      if (!file) return c.json({ error: { message: `no such file: ${name}`, details: [], fields: {} } }, 404);
      return c.body(file.body, 200, { 'Content-Type': file.type, 'Cache-Control': 'no-cache' });
    },
  };
}
