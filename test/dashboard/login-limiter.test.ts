import { describe, expect, it } from 'vitest';
import { LoginLimiter, type LoginAttempt } from '../../src/dashboard/login-limiter.js';

describe('LoginLimiter', () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };
  /** The attempt, failing the test if the limiter made it wait. */
  const started = (l: LoginLimiter, address: string): LoginAttempt => {
    const a = l.start(address);
    if ('retryAfterS' in a) throw new Error(`${address} was told to wait ${a.retryAfterS} s`);
    return a;
  };
  const waitOf = (l: LoginLimiter, address: string) => {
    const a = l.start(address);
    return 'retryAfterS' in a ? a.retryAfterS : 0;
  };
  const fail = (l: LoginLimiter, address: string, times = 1) => {
    for (let i = 0; i < times; i++) started(l, address).settle(false);
  };

  it('lets the first five failures through, then makes each next attempt wait twice as long', () => {
    const c = clock();
    const l = new LoginLimiter(5, 30_000, 15 * 60_000, c.now);
    fail(l, '10.0.0.1', 5);
    expect(waitOf(l, '10.0.0.1')).toBe(30);
    c.advance(30_000);
    fail(l, '10.0.0.1');
    expect(waitOf(l, '10.0.0.1')).toBe(60);
    // Another address is not slowed down by this one.
    expect(waitOf(l, '10.0.0.2')).toBe(0);
  });

  it('counts an attempt from its start: while five are under way, a sixth must wait', () => {
    const c = clock();
    const l = new LoginLimiter(5, 30_000, 15 * 60_000, c.now);
    const slow = Array.from({ length: 5 }, () => started(l, '10.0.0.1'));
    expect(waitOf(l, '10.0.0.1')).toBe(30);
    // However long they take: one under way may still fail.
    c.advance(10 * 60_000);
    expect(waitOf(l, '10.0.0.1')).toBe(30);
    for (const a of slow) a.settle(false);
    expect(waitOf(l, '10.0.0.1')).toBe(30);
    c.advance(30_000);
    expect(waitOf(l, '10.0.0.1')).toBe(0);
  });

  it('never makes anyone wait longer than the window, and forgets failures older than it', () => {
    const c = clock();
    const l = new LoginLimiter(2, 6_000, 10_000, c.now);
    fail(l, 'a', 2);
    c.advance(6_000);
    fail(l, 'a');
    // Twice 6 s would be 12 s: the window is 10 s.
    expect(waitOf(l, 'a')).toBe(10);
    c.advance(10_001);
    expect(waitOf(l, 'a')).toBe(0);
  });

  it('a successful login clears the address', () => {
    const l = new LoginLimiter();
    fail(l, 'a', 4);
    started(l, 'a').settle(true);
    fail(l, 'a', 5);
    // Five failures since the success, not ten: the first wait, not a longer one.
    expect(waitOf(l, 'a')).toBe(30);
  });

  it('counts an IPv6 client by its /64, and an IPv4 client on a dual-stack socket by its IPv4 address', () => {
    const l = new LoginLimiter();
    fail(l, '2001:db8:1:2::1', 2);
    fail(l, '2001:db8:1:2:aaaa:bbbb:cccc:dddd', 2);
    fail(l, '2001:0db8:0001:0002::ffff', 1);
    expect(waitOf(l, '2001:db8:1:2::7')).toBeGreaterThan(0);
    expect(waitOf(l, '2001:db8:1:3::1')).toBe(0);
    fail(l, '::ffff:10.1.2.3', 5);
    expect(waitOf(l, '10.1.2.3')).toBeGreaterThan(0);
  });
});
