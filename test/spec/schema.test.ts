import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/spec/defaults.js';
import { checkClusterText } from '../../src/spec/check.js';
import { toResolvedYamlShape } from '../../src/spec/resolved.js';
import { stringify } from 'yaml';
import { STARTER_YAML as clusterYaml } from '../support/starter.js';

const schema = JSON.parse(readFileSync(new URL('../../schema/cluster.schema.json', import.meta.url), 'utf8'));

describe('the published JSON Schema', () => {
  it('documents the same defaults that normalization applies', () => {
    const p = schema.properties;
    expect(p.name.default).toBe(DEFAULTS.name);
    expect(p.runtime.default).toBe(DEFAULTS.runtime);
    expect(p.session_mode.default).toBe(DEFAULTS.session_mode);
    expect(p.listen.default).toBe(DEFAULTS.listen);
    expect(p.balancer.properties.engine.default).toBe(DEFAULTS.balancer.engine);
    expect(p.balancer.properties.method.default).toBe(DEFAULTS.balancer.method);
    for (const k of ['http', 'stats', 'db', 'dashboard', 'peers', 'db_peers', 'db_agent', 'https'] as const) expect(p.ports.properties[k].default).toBe(DEFAULTS.ports[k]);
    for (const k of ['redirect', 'hsts', 'dashboard'] as const) expect(p.tls.properties[k].default).toBe(DEFAULTS.tls[k]);
    for (const k of ['path', 'interval', 'fall', 'rise'] as const) expect(p.health.properties[k].default).toBe(DEFAULTS.health[k]);
    for (const k of ['name', 'user', 'max_lag', 'failback'] as const) expect(p.database.properties[k].default).toBe(DEFAULTS.database[k]);
    for (const k of ['host', 'port', 'weight'] as const) expect(p.defaults.properties.web.properties[k].default).toBe(DEFAULTS.defaults.web[k]);
    for (const k of ['host', 'port'] as const) expect(p.defaults.properties.db.properties[k].default).toBe(DEFAULTS.defaults.db[k]);
    expect(schema.definitions.webNode.properties.state.default).toBe(DEFAULTS.webNode.state);
  });

  it('is what the starter points editors to, from its own folder (hactl init points it at the project)', () => {
    expect(clusterYaml.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/cluster.schema.json');
  });

  it('describes every key it allows', () => {
    const missing: string[] = [];
    const walk = (node: Record<string, unknown>, path: string) => {
      for (const [key, sub] of Object.entries((node.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        if (!sub.description && !sub.$ref) missing.push(`${path}${key}`);
        walk(sub, `${path}${key}.`);
      }
    };
    walk(schema, '');
    expect(missing.filter((m) => !m.startsWith('defaults.'))).toEqual([]);
  });
});

describe('the resolved model (hactl config)', () => {
  it('is itself a valid cluster.yaml that resolves to the same model', () => {
    const first = checkClusterText(clusterYaml).cluster;
    const again = checkClusterText(stringify(toResolvedYamlShape(first)));
    expect(again.problems).toEqual([]);
    expect(again.cluster).toEqual(first);
  });
});
