import { describe, expect, it } from 'vitest';
import { csrfValid, SessionStore } from '../../src/dashboard/sessions.js';

describe('SessionStore', () => {
  it('gives each login its own unguessable id and CSRF token', () => {
    const store = new SessionStore();
    const a = store.create('admin');
    const b = store.create('admin');
    expect(a.id).not.toBe(b.id);
    expect(a.csrf).not.toBe(b.csrf);
    expect(a.id.length).toBeGreaterThanOrEqual(43);
    expect(store.get(a.id)).toBe(a);
    expect(store.get('nope')).toBeUndefined();
    expect(store.get(undefined)).toBeUndefined();
  });

  it('ends a session after its idle time, and on destroy', () => {
    let now = 0;
    const store = new SessionStore(1000, 10, () => now);
    const s = store.create('admin');
    now = 900;
    expect(store.get(s.id)).toBe(s);
    now = 1800; // 900 ms after the last use: still alive
    expect(store.get(s.id)).toBe(s);
    now = 2801;
    expect(store.get(s.id)).toBeUndefined();
    const t = store.create('admin');
    store.destroy(t.id);
    expect(store.get(t.id)).toBeUndefined();
  });

  it('drops the oldest session when full', () => {
    const store = new SessionStore(1000, 2);
    const first = store.create('admin');
    store.create('admin');
    store.create('admin');
    expect(store.get(first.id)).toBeUndefined();
  });

  it('checks the CSRF token exactly', () => {
    const s = new SessionStore().create('admin');
    expect(csrfValid(s, s.csrf)).toBe(true);
    expect(csrfValid(s, undefined)).toBe(false);
    expect(csrfValid(s, '')).toBe(false);
    expect(csrfValid(s, s.csrf.slice(1))).toBe(false);
    expect(csrfValid(s, `${s.csrf.slice(0, -1)}x`)).toBe(s.csrf.endsWith('x'));
  });
});
