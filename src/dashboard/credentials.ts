import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrCreateSecrets } from '../secrets/store.js';
import type { Secret } from '../secrets/secret.js';

/** The dashboard has one account; its password is a generated secret like the DB ones (secrets.json, 0600). */
export const DASHBOARD_USER = 'admin';

// Marks that the password has been printed once; the password itself stays in secrets.json only.
const SHOWN_MARK = 'dashboard-credentials-shown';

export interface Credentials {
  user: string;
  password: Secret;
}

export function dashboardCredentials(stateDir: string): Credentials {
  return { user: DASHBOARD_USER, password: loadOrCreateSecrets(stateDir).dashboard_password };
}

/** The credentials the first time they are asked for here, then never again (hactl dashboard --show-credentials shows them). */
export function credentialsToShowOnce(stateDir: string): Credentials | undefined {
  const credentials = dashboardCredentials(stateDir);
  const mark = join(stateDir, SHOWN_MARK);
  if (existsSync(mark)) return undefined;
  writeFileSync(mark, '', { mode: 0o600 });
  return credentials;
}

// Hashed first so both sides have the same length: timingSafeEqual needs it, and length leaks nothing then.
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function credentialsMatch(expected: Credentials, user: unknown, password: unknown): boolean {
  if (typeof user !== 'string' || typeof password !== 'string') return false;
  const userOk = timingSafeEqual(digest(user), digest(expected.user));
  const passwordOk = timingSafeEqual(digest(password), digest(expected.password.reveal()));
  return userOk && passwordOk;
}
