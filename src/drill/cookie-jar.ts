/**
 * The cookies of one drill client: name=value of each Set-Cookie, for one
 * site. Attributes are ignored (every cookie of the app and of lb-web has
 * path / and lives as long as the client does), except that a cookie set to
 * expire now is dropped, as a browser would.
 */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  store(setCookie: readonly string[]): void {
    for (const line of setCookie) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const expired = attributes.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a));
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, pair.slice(eq + 1).trim());
    }
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  /** The Cookie header to send, or undefined for a client that has none yet. */
  header(): string | undefined {
    return this.#cookies.size === 0 ? undefined : [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}
