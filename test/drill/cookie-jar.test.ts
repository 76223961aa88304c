import { describe, expect, it } from 'vitest';
import { CookieJar } from '../../src/drill/cookie-jar.js';

describe('CookieJar', () => {
  it('sends nothing until a cookie is set, then name=value of each, the latest value winning', () => {
    const jar = new CookieJar();
    expect(jar.header()).toBeUndefined();
    jar.store(['PHPSESSID=abc; path=/; HttpOnly; SameSite=Lax', 'SERVERID=S1; path=/; HttpOnly']);
    expect(jar.header()).toBe('PHPSESSID=abc; SERVERID=S1');
    jar.store(['PHPSESSID=def; path=/']);
    expect(jar.get('PHPSESSID')).toBe('def');
    expect(jar.header()).toBe('PHPSESSID=def; SERVERID=S1');
  });

  it('drops a cookie set to expire now, and ignores lines without a name', () => {
    const jar = new CookieJar();
    jar.store(['PHPSESSID=abc; path=/', 'SERVERID=S1']);
    jar.store(['PHPSESSID=deleted; expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; path=/', '=x', 'garbage']);
    expect(jar.header()).toBe('SERVERID=S1');
  });
});
