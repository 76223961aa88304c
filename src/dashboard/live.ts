import { sleep } from '../util/poll.js';
import { problemOf } from './problem.js';

/** DATA is already JSON: one serialization per event, however many pages listen. */
export type Listener = (event: string, data: string) => void;

/**
 * One reader of the cluster for every open page: while a page listens, it
 * reads a snapshot every INTERVAL ms and sends it to all of them. A read
 * asked for while one is under way gets that one's result.
 */
export class LiveFeed<T> {
  readonly #listeners = new Set<Listener>();
  #latest: T | undefined;
  #latestAt = 0;
  #inflight: Promise<T> | undefined;
  #looping = false;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly intervalMs = 250,
  ) {}

  subscribe(listener: Listener): () => void {
    // A snapshot kept fresh for other pages is sent at once; an older one
    // would show a new page states long gone: it waits for the read below.
    if (this.#fresh()) listener('status', JSON.stringify(this.#latest));
    this.#listeners.add(listener);
    void this.#loop();
    return () => this.#listeners.delete(listener);
  }

  publish(event: string, data: unknown): void {
    if (this.#listeners.size === 0) return;
    const json = JSON.stringify(data);
    for (const l of this.#listeners) l(event, json);
  }

  /** The newest snapshot if the feed keeps it fresh (a page listens), else one read now. */
  async current(): Promise<T> {
    return this.#fresh() ? this.#latest! : this.refresh();
  }

  #fresh(): boolean {
    return this.#latest !== undefined && this.#listeners.size > 0 && Date.now() - this.#latestAt < 2 * this.intervalMs;
  }

  /** Read now (or join the read under way), send it to every page, and give it. */
  refresh(): Promise<T> {
    this.#inflight ??= this.read()
      .then((snapshot) => {
        this.#latest = snapshot;
        this.#latestAt = Date.now();
        this.publish('status', snapshot);
        return snapshot;
      })
      .finally(() => {
        this.#inflight = undefined;
      });
    return this.#inflight;
  }

  async #loop(): Promise<void> {
    if (this.#looping) return;
    this.#looping = true;
    try {
      while (this.#listeners.size > 0) {
        try {
          await this.refresh();
        } catch (err) {
          this.publish('feed-error', problemOf(err));
        }
        await sleep(this.intervalMs);
      }
    } finally {
      this.#looping = false;
    }
  }
}
