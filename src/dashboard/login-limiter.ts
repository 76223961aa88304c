import { isIP } from 'node:net';
import { canonicalAddress } from '../util/net.js';

/** A login under way: counted as failed from its start until it is settled. */
export interface LoginAttempt {
  settle(succeeded: boolean): void;
}

/** When more addresses than this are remembered, the ones with nothing recent are swept. */
const SWEEP_ABOVE = 10_000;

/**
 * Login attempts per client. The first FREE failures within WINDOW cost
 * nothing (typos); after that each further attempt must wait twice as long
 * as the last, from BASE. Failures older than WINDOW are forgotten, so a
 * guesser gets a few tries per WINDOW. A success clears the client.
 *
 * An attempt counts from the moment it starts, before its body is read:
 * checked only at the start and counted only at the end, thirty slow
 * attempts sent at once would all pass the check.
 */
export class LoginLimiter {
  /** Per client, its attempts: when each failed, or undefined while one is under way. */
  readonly #attempts = new Map<string, { at: number | undefined }[]>();

  constructor(
    private readonly free = 5,
    private readonly baseMs = 30_000,
    private readonly windowMs = 15 * 60_000,
    private readonly now = Date.now,
  ) {}

  /** An attempt from ADDRESS, or how many seconds it must wait first. */
  start(address: string): LoginAttempt | { retryAfterS: number } {
    const client = clientOf(address);
    const recent = this.#recent(client);
    if (recent.length >= this.free) {
      const wait = Math.min(this.baseMs * 2 ** (recent.length - this.free), this.windowMs);
      // One under way has not failed yet, but may: it counts as failing now.
      const last = Math.max(...recent.map((a) => a.at ?? this.now()));
      if (last + wait > this.now()) return { retryAfterS: Math.ceil((last + wait - this.now()) / 1000) };
    }
    if (this.#attempts.size > SWEEP_ABOVE) this.#sweep();
    const attempt = { at: undefined as number | undefined };
    this.#attempts.set(client, [...recent, attempt]);
    return {
      settle: (succeeded) => {
        if (succeeded) this.#attempts.delete(client);
        else attempt.at = this.now();
      },
    };
  }

  #recent(client: string): { at: number | undefined }[] {
    const cutoff = this.now() - this.windowMs;
    const recent = (this.#attempts.get(client) ?? []).filter((a) => a.at === undefined || a.at > cutoff);
    if (recent.length === 0) this.#attempts.delete(client);
    return recent;
  }

  #sweep(): void {
    for (const client of [...this.#attempts.keys()]) this.#recent(client);
  }
}

/**
 * Whom an address stands for: an IPv6 host usually holds a whole /64 and can
 * change address within it at will, so IPv6 clients are counted by their /64.
 */
function clientOf(address: string): string {
  // One spelling per address, an IPv4 client on a dual-stack socket as IPv4.
  const canonical = canonicalAddress(address);
  if (isIP(canonical) !== 6) return canonical;
  const [head = '', tail] = canonical.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups.slice(0, 4).join(':')}::/64`;
}
