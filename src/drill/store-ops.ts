/**
 * What a session costs its store, per request: the store's own counters of
 * the commands the session handlers send, before and after the drill's
 * steady part. Health checks (lb-db's AUTH/INFO, the Sentinels' PING) are
 * not session work and are left out.
 */

/** php-memcached's session handler: get, set (its lock is an add, counted with the sets), delete (the unlock), touch. */
export const MEMCACHED_OPS = ['cmd_get', 'cmd_set', 'cmd_touch', 'delete_hits', 'delete_misses'] as const;

/** phpredis's session handler: GET, SETEX, EXISTS (strict mode), EXPIRE, SET NX (the lock) and EVAL/EVALSHA or DEL (the unlock). */
export const REDIS_OPS = ['get', 'set', 'setex', 'exists', 'expire', 'del', 'eval', 'evalsha'] as const;

/** Session work in one memcached node's "stats" counters. */
export function memcachedOps(stats: Readonly<Record<string, number>>): number {
  return MEMCACHED_OPS.reduce((sum, name) => sum + (stats[name] ?? 0), 0);
}

/** Session work in a Redis node's INFO commandstats (cmdstat_get:calls=12,usec=…). */
export function redisOps(commandstats: string): number {
  const calls = new Map([...commandstats.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)].map((m) => [m[1]!, Number(m[2])]));
  return REDIS_OPS.reduce((sum, name) => sum + (calls.get(name) ?? 0), 0);
}
