import { describe, expect, it } from 'vitest';
import { runtimeApiError } from '../../src/haproxy/server-admin.js';

describe('runtimeApiError', () => {
  it('is nothing for an empty answer and the sentence otherwise', () => {
    expect(runtimeApiError('\n')).toBeUndefined();
    expect(runtimeApiError('No such server.\n\n')).toBe('No such server.');
  });
});
