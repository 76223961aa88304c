import { describe, expect, it } from 'vitest';
import { LoginLimiter } from '../../src/dashboard/login-limiter.js';

describe('LoginLimiter', () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('lets the first five failures through, then makes each next attempt wait twice as long', () => {
    const c = clock();
    const l = new LoginLimiter(5, 30_000, 15 * 60_000, c.now);
    for (let i = 0; i < 5; i++) {
      expect(l.retryAfterS('10.0.0.1')).toBe(0);
      l.failed('10.0.0.1');
    }
    expect(l.retryAfterS('10.0.0.1')).toBe(30);
    c.advance(30_000);
    expect(l.retryAfterS('10.0.0.1')).toBe(0);
    l.failed('10.0.0.1');
    expect(l.retryAfterS('10.0.0.1')).toBe(60);
    // Another address is not slowed down by this one.
    expect(l.retryAfterS('10.0.0.2')).toBe(0);
  });

  it('never makes anyone wait longer than the window, and forgets failures older than it', () => {
    const c = clock();
    const l = new LoginLimiter(5, 30_000, 15 * 60_000, c.now);
    for (let i = 0; i < 20; i++) l.failed('a');
    expect(l.retryAfterS('a')).toBe(15 * 60);
    c.advance(15 * 60_000 + 1);
    expect(l.retryAfterS('a')).toBe(0);
  });

  it('a successful login clears the address', () => {
    const l = new LoginLimiter();
    for (let i = 0; i < 6; i++) l.failed('a');
    expect(l.retryAfterS('a')).toBeGreaterThan(0);
    l.succeeded('a');
    expect(l.retryAfterS('a')).toBe(0);
  });
});
