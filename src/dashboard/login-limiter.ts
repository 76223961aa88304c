/**
 * Failed logins per client address. The first FREE failures within WINDOW
 * cost nothing (typos); after that each further attempt must wait twice as
 * long as the last, from BASE. Failures older than WINDOW are forgotten, so
 * a guesser gets a few tries per WINDOW. A success clears the address.
 */
export class LoginLimiter {
  readonly #failures = new Map<string, number[]>();

  constructor(
    private readonly free = 5,
    private readonly baseMs = 30_000,
    private readonly windowMs = 15 * 60_000,
    private readonly now = Date.now,
  ) {}

  /** 0 when ADDRESS may try now, else how many seconds it must wait. */
  retryAfterS(address: string): number {
    const recent = this.#recent(address);
    if (recent.length < this.free) return 0;
    const wait = Math.min(this.baseMs * 2 ** (recent.length - this.free), this.windowMs);
    const until = recent[recent.length - 1]! + wait;
    return until > this.now() ? Math.ceil((until - this.now()) / 1000) : 0;
  }

  failed(address: string): void {
    this.#failures.set(address, [...this.#recent(address), this.now()]);
  }

  succeeded(address: string): void {
    this.#failures.delete(address);
  }

  #recent(address: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const recent = (this.#failures.get(address) ?? []).filter((t) => t > cutoff);
    if (recent.length === 0) this.#failures.delete(address);
    return recent;
  }
}
