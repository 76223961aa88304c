import { describe, expect, it } from 'vitest';
import { runtimeApiError, webServerCommands } from '../../src/haproxy/server-admin.js';

const node = { name: 'web1', host: '127.0.1.1', port: 8000, cookie: 'S1', weight: 40 };

describe('webServerCommands', () => {
  it.each([
    ['ready', 'ready'],
    ['drain', 'drain'],
    ['maint', 'maint'],
  ] as const)('%s: sets the admin state and the weight cluster.yaml gives', (state, runtime) => {
    expect(webServerCommands({ ...node, state })).toEqual([`set server web/web1 state ${runtime}`, 'set weight web/web1 40']);
  });
});

describe('runtimeApiError', () => {
  it('is nothing for an empty answer and the sentence otherwise', () => {
    expect(runtimeApiError('\n')).toBeUndefined();
    expect(runtimeApiError('No such server.\n\n')).toBe('No such server.');
  });
});
