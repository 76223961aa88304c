import { describe, expect, it } from 'vitest';
import { scriptSafeJson } from '../../src/dashboard/static-files.js';

describe('scriptSafeJson', () => {
  it('keeps data inside its <script> element: no tag, comment or line separator gets out, and it parses back the same', () => {
    const value = { error: '</script><script>alert(1)</script>', comment: '<!-- x -->', amp: 'a&b', seps: 'a\u2028b\u2029c', quote: '"\'' };
    const text = scriptSafeJson(value);
    expect(text).not.toMatch(/<|>|&|\u2028|\u2029/);
    expect(JSON.parse(text)).toEqual(value);
  });
});
