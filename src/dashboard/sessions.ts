import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  id: string;
  user: string;
  /** Sent back in X-CSRF-Token with every state-changing request. */
  csrf: string;
  lastSeen: number;
}

const token = () => randomBytes(32).toString('base64url');

/**
 * Logged-in browsers, in memory: a restart of the dashboard logs everyone
 * out, which is the safe side. A session ends after IDLE_MS without a request.
 */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();

  constructor(
    private readonly idleMs = 8 * 3600_000,
    private readonly max = 1000,
    private readonly now = Date.now,
  ) {}

  create(user: string): Session {
    if (this.#sessions.size >= this.max) {
      // Oldest first: Map keeps insertion order.
      const oldest = this.#sessions.keys().next().value;
      if (oldest !== undefined) this.#sessions.delete(oldest);
    }
    const session = { id: token(), user, csrf: token(), lastSeen: this.now() };
    this.#sessions.set(session.id, session);
    return session;
  }

  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    if (this.now() - session.lastSeen > this.idleMs) {
      this.#sessions.delete(id);
      return undefined;
    }
    session.lastSeen = this.now();
    return session;
  }

  destroy(id: string): void {
    this.#sessions.delete(id);
  }
}

export function csrfValid(session: Session, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
