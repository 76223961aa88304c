import { randomInt } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { badInput } from '../errors.js';
import { makeDirs, writeFileAtomic } from '../util/atomic-write.js';
import { Secret } from './secret.js';

/** Every generated credential of a cluster, keyed as in the secrets file. */
export const SECRET_KEYS = [
  'db_root_password',
  'replication_password',
  'app_password',
  'stats_password',
  'dashboard_password',
  'redis_password',
] as const;

export type SecretKey = (typeof SECRET_KEYS)[number];
export type Secrets = Record<SecretKey, Secret>;

export const SECRETS_FILE = 'secrets.json';

/** Every secret's value by its key: for what must find them in text (the history's redaction). */
export function revealAll(secrets: Secrets): Record<SecretKey, string> {
  return Object.fromEntries(SECRET_KEYS.map((k) => [k, secrets[k].reveal()])) as Record<SecretKey, string>;
}

// Letters and digits only: a generated secret must be safe inside any config
// file or option without quoting (haproxy.cfg, my.cnf, a DSN).
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

export function generateSecret(length = 24): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/**
 * Load the cluster's secrets from STATE_DIR/secrets.json, generating (and
 * storing, mode 0600) any that are missing. The folder is made 0700.
 */
export function loadOrCreateSecrets(stateDir: string): Secrets {
  const file = join(stateDir, SECRETS_FILE);
  const stored = readStored(file);
  let changed = false;
  for (const key of SECRET_KEYS) {
    if (typeof stored[key] !== 'string' || stored[key] === '') {
      stored[key] = generateSecret();
      changed = true;
    }
  }
  if (changed) {
    makeDirs(stateDir, 0o700);
    writeFileAtomic(file, JSON.stringify(stored, null, 2) + '\n', 0o600);
  } else if ((statSync(file).mode & 0o077) !== 0) {
    // Someone loosened it (a copy, a chmod -R): secrets stay owner-only.
    chmodSync(file, 0o600);
  }
  return wrap(stored);
}

/**
 * What a secret of the user's own may hold: it goes into haproxy.cfg,
 * my.cnf and the app's settings unquoted, so only characters that none of
 * them treats specially (base64's and URL-safe ones), and no line break
 * that could start a section of its own.
 */
const SECRET_FORMAT = /^[A-Za-z0-9+/=._~-]{1,256}$/;

function readStored(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw badInput(`${file} is not valid JSON (${(err as Error).message}); fix or remove it`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badInput(`${file} must hold a JSON object of secrets`);
  }
  const stored = parsed as Record<string, unknown>;
  // Never the value itself in the message: it is a secret, even when malformed.
  const bad = SECRET_KEYS.filter((k) => stored[k] !== undefined && stored[k] !== '' && (typeof stored[k] !== 'string' || !SECRET_FORMAT.test(stored[k])));
  if (bad.length > 0) {
    throw badInput(
      `${file}: ${bad.join(', ')} ${bad.length === 1 ? 'is' : 'are'} not usable: a secret is up to 256 letters, digits or + / = . _ ~ -; fix ${bad.length === 1 ? 'it' : 'them'}, or remove ${bad.length === 1 ? 'it' : 'them'} to have new ones generated`,
    );
  }
  return stored as Record<string, string>;
}

export function wrap(values: Record<SecretKey, string>): Secrets {
  return Object.fromEntries(SECRET_KEYS.map((k) => [k, new Secret(values[k])])) as Secrets;
}
