import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { renderCluster, type RenderedFile } from '../../src/render/index.js';
import { composeLayout, localLayout, type RenderTarget } from '../../src/render/layout.js';
import { loadTemplateSources } from '../../src/render/templates.js';
import { wrap } from '../../src/secrets/store.js';
import { checkClusterText } from '../../src/spec/check.js';
import type { ConcreteRuntime } from '../../src/spec/model.js';
import { servedPem } from '../../src/tls/certificate.js';

/** The fixtures under test/fixtures/render, rendered as the golden files are: fixed secrets and paths. */
export const SECRETS = wrap({
  db_root_password: 'golden-root',
  replication_password: 'golden-repl',
  app_password: 'golden-app',
  stats_password: 'golden-stats',
  dashboard_password: 'golden-dashboard',
  redis_password: 'golden-redis',
});

export function target(runtime: ConcreteRuntime): RenderTarget {
  return {
    runtime,
    layout: runtime === 'local' ? localLayout('/srv/site/.hactl') : composeLayout,
    composeDir: '/opt/hactl/compose',
  };
}

/** A certificate and key made for the tests only (test/fixtures/tls; its CA's key was thrown away): what a fixture with tls serves. */
export const TEST_SITE_PEM = servedPem(
  readFileSync(new URL('../fixtures/tls/site.crt', import.meta.url), 'utf8'),
  readFileSync(new URL('../fixtures/tls/site.key', import.meta.url), 'utf8'),
);

export function renderFixture(file: string, runtime: ConcreteRuntime, text = readFileSync(file, 'utf8')): RenderedFile[] {
  const { cluster, problems } = checkClusterText(text);
  expect(problems).toEqual([]);
  return renderCluster(cluster, SECRETS, target(runtime), loadTemplateSources(), cluster.tls ? TEST_SITE_PEM : undefined);
}
