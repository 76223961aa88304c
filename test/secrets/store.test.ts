import { tempDir } from '../support/temp.js';
import { readFileSync, statSync, chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { HactlError } from '../../src/errors.js';
import { Secret } from '../../src/secrets/secret.js';
import { loadOrCreateSecrets, SECRET_KEYS } from '../../src/secrets/store.js';

describe('secrets', () => {
  it('are generated on first use into a 0600 file in a 0700 folder, then reused', () => {
    const stateDir = join(tempDir('hactl-secrets-'), '.hactl');
    const first = loadOrCreateSecrets(stateDir);
    const file = join(stateDir, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(stored).sort()).toEqual([...SECRET_KEYS].sort());
    for (const key of SECRET_KEYS) {
      expect(stored[key]).toMatch(/^[A-Za-z0-9]{24}$/);
      expect(first[key].reveal()).toBe(stored[key]);
    }
    expect(new Set(Object.values(stored)).size).toBe(SECRET_KEYS.length);
    const again = loadOrCreateSecrets(stateDir);
    for (const key of SECRET_KEYS) expect(again[key].reveal()).toBe(first[key].reveal());
  });

  it('fills in a missing one without changing the others, and tightens a loose mode', () => {
    const stateDir = tempDir('hactl-secrets-');
    const file = join(stateDir, 'secrets.json');
    writeFileSync(file, JSON.stringify({ app_password: 'keepme' }));
    expect(loadOrCreateSecrets(stateDir).app_password.reveal()).toBe('keepme');
    chmodSync(file, 0o644);
    loadOrCreateSecrets(stateDir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a corrupt secrets file instead of replacing it', () => {
    const stateDir = tempDir('hactl-secrets-');
    writeFileSync(join(stateDir, 'secrets.json'), '{not json');
    expect(() => loadOrCreateSecrets(stateDir)).toThrow(/not valid JSON/);
    expect(readFileSync(join(stateDir, 'secrets.json'), 'utf8')).toBe('{not json');
  });

  it('refuses stored secrets that would inject into a config, naming the key but never the value', () => {
    for (const [key, value] of [
      ['stats_password', 'x\n  listen evil\n  bind :1'],
      ['db_root_password', "a'b"],
      ['app_password', 'with space'],
      ['dashboard_password', 42],
      ['replication_password', 'x'.repeat(257)],
    ] as const) {
      const stateDir = tempDir('hactl-secrets-');
      const text = JSON.stringify({ [key]: value });
      writeFileSync(join(stateDir, 'secrets.json'), text);
      let error: unknown;
      try {
        loadOrCreateSecrets(stateDir);
      } catch (e) {
        error = e;
      }
      expect(error, key).toBeInstanceOf(HactlError);
      expect((error as HactlError).exitCode).toBe(2);
      expect((error as HactlError).message).toMatch(new RegExp(`secrets\\.json: ${key} is not usable`));
      if (typeof value === 'string') expect((error as HactlError).message).not.toContain(value);
      expect(readFileSync(join(stateDir, 'secrets.json'), 'utf8')).toBe(text);
    }
    const stateDir = tempDir('hactl-secrets-');
    writeFileSync(join(stateDir, 'secrets.json'), JSON.stringify({ stats_password: 'b64+/=chars.are_fine~-' }));
    expect(loadOrCreateSecrets(stateDir).stats_password.reveal()).toBe('b64+/=chars.are_fine~-');
  });

  it('never print by accident: string, template, JSON and inspect all redact', () => {
    const s = new Secret('hunter2');
    expect(String(s)).toBe('[redacted]');
    expect(`${s}`).toBe('[redacted]');
    expect(JSON.stringify({ s })).toBe('{"s":"[redacted]"}');
    expect(inspect({ s })).not.toContain('hunter2');
    expect(s.reveal()).toBe('hunter2');
  });
});
