import { beforeAll, describe, expect, it } from 'vitest';

// The page's words are browser code: it reads the chosen language at load.
let LANGUAGES: Record<'en' | 'fr', Record<string, string>>;

beforeAll(async () => {
  Object.assign(globalThis, {
    localStorage: { getItem: () => null, setItem: () => undefined },
    navigator: { languages: ['en'], language: 'en' },
  });
  // A path in a variable: the test's type check leaves browser code to its own config.
  const module = '../../src/dashboard/client/i18n.ts';
  ({ LANGUAGES } = (await import(module)) as { LANGUAGES: typeof LANGUAGES });
});

describe("the page's words", () => {
  it('say where the dashboard password is, never that it was printed (it is printed only on --show-credentials)', () => {
    for (const lang of ['en', 'fr'] as const) {
      const hint = LANGUAGES[lang].login_hint!;
      expect(hint).toContain('hactl dashboard --show-credentials');
      expect(hint).not.toMatch(/hactl init|was printed|a été affiché/);
    }
  });

  it('exist in French for every English key', () => {
    expect(Object.keys(LANGUAGES.fr).sort()).toEqual(Object.keys(LANGUAGES.en).sort());
  });
});
