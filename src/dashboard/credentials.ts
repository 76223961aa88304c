import { createHash, timingSafeEqual } from 'node:crypto';
import { loadOrCreateSecrets } from '../secrets/store.js';
import type { Secret } from '../secrets/secret.js';

/** The dashboard has one account; its password is a generated secret like the DB ones (secrets.json, 0600). */
export const DASHBOARD_USER = 'admin';

/** Where a person finds the login: the password is printed only when asked for, never in passing (logs, screen shares). */
export const LOGIN_HINT = `user ${DASHBOARD_USER}; password: hactl dashboard --show-credentials`;

export interface Credentials {
  user: string;
  password: Secret;
}

export function dashboardCredentials(stateDir: string): Credentials {
  return { user: DASHBOARD_USER, password: loadOrCreateSecrets(stateDir).dashboard_password };
}

// Hashed first so both sides have the same length: timingSafeEqual needs it, and length leaks nothing then.
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function credentialsMatch(expected: Credentials, user: unknown, password: unknown): boolean {
  if (typeof user !== 'string' || typeof password !== 'string') return false;
  const userOk = timingSafeEqual(digest(user), digest(expected.user));
  const passwordOk = timingSafeEqual(digest(password), digest(expected.password.reveal()));
  return userOk && passwordOk;
}
