import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyDir, listVersions, readVersion, recordVersion, redact, runningVersion, type Version } from '../../src/history/store.js';
import { tempDir } from '../support/temp.js';

const entry = (result: Version['result'], text = 'web: [web1]\n'): Omit<Version, 'version'> => ({
  at: '2026-12-03T10:00:00.000Z',
  user: 'ana',
  command: 'hactl up',
  result,
  ...(result === 'failed' ? { error: 'haproxy -c refused it' } : {}),
  plan: ['web1: start'],
  cluster_yaml: text,
  files: { 'lb-web/haproxy.cfg': 'frontend web\n' },
});

describe('the history of applies', () => {
  it('numbers versions in order, one 0600 file each in a 0700 folder, and reads them back', () => {
    const dir = tempDir('hactl-history-');
    expect(recordVersion(dir, entry('applied'), 100)).toBe(1);
    expect(recordVersion(dir, entry('failed', 'web: [web1, web2]\n'), 100)).toBe(2);
    expect(listVersions(dir)).toEqual([1, 2]);
    expect(statSync(historyDir(dir)).mode & 0o777).toBe(0o700);
    expect(statSync(join(historyDir(dir), '000002.json')).mode & 0o777).toBe(0o600);
    expect(readVersion(dir, 2)).toMatchObject({ version: 2, result: 'failed', error: 'haproxy -c refused it', cluster_yaml: 'web: [web1, web2]\n' });
    // What runs is the last version that was applied, not the last one tried.
    expect(runningVersion(dir)).toBe(1);
  });

  it('keeps the last KEEP versions, and says a pruned one was pruned', () => {
    const dir = tempDir('hactl-history-');
    for (let i = 0; i < 5; i++) recordVersion(dir, entry('applied'), 3);
    expect(listVersions(dir)).toEqual([3, 4, 5]);
    expect(() => readVersion(dir, 1)).toThrow(/there is no version 1: the history holds 3 to 5; version 1 was pruned/);
    expect(() => readVersion(dir, 9)).toThrow(/there is no version 9: the history holds 3 to 5$/);
    expect(() => readVersion(tempDir('hactl-history-'), 1)).toThrow(/there is no history yet/);
  });

  it('refuses a version file that was changed by hand or damaged (exit 2), naming it', () => {
    const dir = tempDir('hactl-history-');
    recordVersion(dir, entry('applied'), 100);
    recordVersion(dir, entry('applied'), 100);
    const file = join(historyDir(dir), '000001.json');
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 40));
    expect(() => readVersion(dir, 1)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/000001\.json cannot be read as a version of the history/) }));
    const second = join(historyDir(dir), '000002.json');
    const parsed = JSON.parse(readFileSync(second, 'utf8')) as Record<string, unknown>;
    delete parsed.files;
    writeFileSync(second, JSON.stringify(parsed));
    expect(() => readVersion(dir, 2)).toThrow(/000002\.json is not a version hactl recorded/);
    expect(runningVersion(dir)).toBeUndefined();
  });

  it('replaces every secret by its name, the longest first', () => {
    expect(redact('user admin:Ab3 pass Ab3xY9 auth Ab3xY9', { stats: 'Ab3', app: 'Ab3xY9' })).toBe('user admin:<secret:stats> pass <secret:app> auth <secret:app>');
    expect(redact('nothing here', { empty: '' })).toBe('nothing here');
  });
});
