import { boundAddresses, hostPort, peersAddress } from '../util/net.js';
import { isHost } from './formats.js';
import { DASHBOARD_HOST, ENGINE_METHODS, MAX_DB_NODES, MIN_SENTINELS, RESERVED_DB_USERS, reservedNodeName, STORE_TIERS, SYSTEM_SCHEMAS, type Cluster } from './model.js';
import type { Problem } from './problem.js';

/** Apache's loadfactor, which is the apache engine's weight, goes up to this. */
const APACHE_MAX_WEIGHT = 100;

type Path = (string | number)[];

interface Endpoint {
  owner: string;
  host: string;
  port: number;
  path: Path;
}

/** Everything that binds a port: the entry points, each where it really binds, and every node. */
function endpoints(c: Cluster, usable: (path: Path) => boolean): Endpoint[] {
  const out: Endpoint[] = [];
  const entry = (key: keyof Cluster['ports'], host: string, hostPath: Path) => {
    if (usable(['ports', key]) && usable(hostPath)) out.push({ owner: `ports.${key}`, host, port: c.ports[key], path: ['ports', key] });
  };
  for (const key of ['http', 'stats', 'db'] as const) entry(key, c.listen, ['listen']);
  if (c.redis.length > 0) entry('redis', c.listen, ['listen']);
  if (c.tls) entry('https', c.listen, ['listen']);
  entry('peers', peersAddress(c.listen), ['listen']);
  entry('db_peers', peersAddress(c.listen), ['listen']);
  // The dashboard does not follow listen: 127.0.0.1 unless hactl dashboard --host says otherwise.
  entry('dashboard', DASHBOARD_HOST, ['ports', 'dashboard']);
  for (const tier of ['web', 'db', ...STORE_TIERS] as const) {
    c[tier].forEach((n, i) => {
      if (usable([tier, i, 'host']) && usable([tier, i, 'port'])) out.push({ owner: n.name, host: n.host, port: n.port, path: [tier, i, 'port'] });
    });
  }
  // Each DB node's health agent, on the node's own address: two DB nodes on one address would share it.
  c.db.forEach((n, i) => {
    if (usable(['db', i, 'host']) && usable(['ports', 'db_agent'])) out.push({ owner: `${n.name}'s agent (ports.db_agent)`, host: n.host, port: c.ports.db_agent, path: ['db', i, 'host'] });
  });
  return out;
}

/**
 * The first endpoint each one's address and port clash with, in one pass:
 * addresses compared in canonical form, localhost as both loopback
 * addresses, a wildcard as every address.
 */
function portClashes(list: readonly Endpoint[]): Problem[] {
  const byPort = new Map<number, { wildcard?: string; owners: Map<string, string> }>();
  const problems: Problem[] = [];
  for (const e of list) {
    let taken = byPort.get(e.port);
    if (!taken) byPort.set(e.port, (taken = { owners: new Map() }));
    const bound = boundAddresses(e.host);
    const clash = taken.wildcard ?? (bound === 'all' ? taken.owners.values().next().value : bound.map((a) => taken.owners.get(a)).find((o) => o !== undefined));
    if (clash !== undefined) {
      problems.push({ path: e.path, message: `${hostPort(e.host, e.port)} is already used by ${clash}` });
      continue;
    }
    if (bound === 'all') taken.wildcard = e.owner;
    else for (const a of bound) taken.owners.set(a, e.owner);
  }
  return problems;
}

/**
 * Rules that span fields, which a JSON Schema cannot say. INVALID holds the
 * paths that already have a problem: their values are not compared again,
 * so one mistake is reported once. EXPLICIT_IDS are the DB ids written in
 * the file (normalizing gives a clashing one another number).
 */
export function crossFieldProblems(c: Cluster, invalid: readonly Path[], explicitIds: readonly (number | undefined)[] = []): Problem[] {
  // A value is usable unless it, or something that contains it, is invalid.
  const invalidKeys = new Set(invalid.map((p) => p.join('\0')));
  const usable = (path: Path) => !path.some((_, i) => invalidKeys.has(path.slice(0, i + 1).join('\0'))) && !invalidKeys.has('');
  const problems: Problem[] = [];

  const names = new Map<string, string>();
  for (const tier of ['web', 'db', ...STORE_TIERS] as const) {
    c[tier].forEach((n, i) => {
      if (!usable([tier, i, 'name'])) return;
      const reserved = reservedNodeName(n.name);
      if (reserved) {
        problems.push({ path: [tier, i, 'name'], message: `${JSON.stringify(n.name)} is not available: ${reserved}` });
        return;
      }
      const first = names.get(n.name);
      if (first) problems.push({ path: [tier, i, 'name'], message: `name ${JSON.stringify(n.name)} is already used by ${first}` });
      else names.set(n.name, `${tier}[${i}]`);
    });
  }

  problems.push(...portClashes(endpoints(c, usable)));

  const cookies = new Map<string, string>();
  c.web.forEach((n, i) => {
    if (!usable(['web', i, 'cookie'])) return;
    const first = cookies.get(n.cookie);
    if (first) problems.push({ path: ['web', i, 'cookie'], message: `cookie ${JSON.stringify(n.cookie)} is already used by ${first}` });
    else cookies.set(n.cookie, n.name);
    // Apache's route rides on PHPSESSID after a '-' (templates/apache-web.conf.hbs): letters and digits only.
    if (c.balancer.engine === 'apache' && !/^[A-Za-z0-9]+$/.test(n.cookie)) {
      problems.push({ path: ['web', i, 'cookie'], message: `${JSON.stringify(n.cookie)} cannot be the apache engine's route for ${n.name}: letters and digits only` });
    }
  });
  if (c.balancer.trace && c.balancer.engine !== 'apache') {
    problems.push({ path: ['balancer', 'trace'], message: `trace is the apache engine's proxy trace log; ${c.balancer.engine} has none (its log has a line per request already)` });
  }
  if (c.balancer.engine === 'apache') {
    // A weight is Apache's loadfactor, 1-100: there is no share of nothing (HAProxy's weight 0 keeps sticky visitors only).
    c.web.forEach((n, i) => {
      if (usable(['web', i, 'weight']) && (n.weight === 0 || n.weight > APACHE_MAX_WEIGHT)) {
        const instead = n.weight === 0 ? `; to send ${n.name} no new visitors, use state: drain` : '';
        problems.push({ path: ['web', i, 'weight'], message: `${n.weight} is not a weight of the apache engine: its loadfactor goes from 1 to ${APACHE_MAX_WEIGHT}${instead}` });
      }
    });
  }

  for (const tier of ['web', 'db', ...STORE_TIERS] as const) {
    c[tier].forEach((n, i) => {
      if (usable([tier, i, 'host']) && !isHost(n.host)) {
        problems.push({ path: [tier, i], message: `address ${JSON.stringify(n.host)} made from defaults.${tier}.host is not a valid address` });
      }
    });
  }

  if (c.sessionMode === 'db' && c.db.length === 0) {
    problems.push({ path: ['session_mode'], message: 'db sessions need at least one DB node, and db: lists none' });
  }
  if (c.sessionMode === 'memcached' && c.memcached.length === 0) {
    problems.push({ path: ['session_mode'], message: 'memcached sessions need memcached nodes, and memcached: lists none (memcached: [mc1, mc2] keeps each session on both)' });
  }
  if (c.sessionMode === 'redis' && c.redis.length === 0) {
    problems.push({ path: ['session_mode'], message: 'redis sessions need Redis nodes, and redis: lists none (redis: [redis1, redis2] runs a primary and a replica, with three Sentinels)' });
  }
  if (c.redis.length >= 2 && c.sentinel.length < MIN_SENTINELS) {
    problems.push({
      path: ['sentinel'],
      message: `${c.sentinel.length} Sentinel${c.sentinel.length === 1 ? '' : 's'} for ${c.redis.length} Redis nodes: promoting a replica takes a majority of at least ${MIN_SENTINELS} (each on an address of its own), so that one cut off cannot start a failover alone; list ${MIN_SENTINELS} or more, or leave sentinel: out for ${MIN_SENTINELS}`,
    });
  }
  if (c.redis.length === 0 && c.sentinel.length > 0) {
    problems.push({ path: ['sentinel'], message: 'Sentinels watch Redis nodes, and redis: lists none' });
  }
  if (c.db.length > MAX_DB_NODES) {
    problems.push({ path: ['db'], message: `${c.db.length} DB nodes: at most ${MAX_DB_NODES} masters are supported` });
  }
  const ids = new Map<number, string>();
  c.db.forEach((n, i) => {
    const id = explicitIds[i];
    if (id === undefined || !usable(['db', i, 'id'])) return;
    const first = ids.get(id);
    if (first) problems.push({ path: ['db', i, 'id'], message: `id ${id} is already used by ${first}` });
    else ids.set(id, n.name);
  });
  c.db.forEach((n, i) => {
    if (usable(['db', i, 'id']) && n.id > MAX_DB_NODES) {
      problems.push({ path: ['db', i], message: `${n.name} would get id ${n.id}; DB node ids go from 1 to ${MAX_DB_NODES}: give it an id` });
    }
  });
  if (usable(['database', 'user']) && RESERVED_DB_USERS.includes(c.database.user.toLowerCase())) {
    problems.push({ path: ['database', 'user'], message: `${JSON.stringify(c.database.user)} is an account of hactl's or of the server's own (${RESERVED_DB_USERS.join(', ')}); choose another name for the application's` });
  }
  if (usable(['database', 'name']) && SYSTEM_SCHEMAS.includes(c.database.name.toLowerCase())) {
    problems.push({ path: ['database', 'name'], message: `${JSON.stringify(c.database.name)} is one of the server's own schemas (${SYSTEM_SCHEMAS.join(', ')}); the application needs a database of its own` });
  }
  if (c.tls && (c.tls.cert === undefined) !== (c.tls.key === undefined)) {
    const [has, lacks] = c.tls.cert === undefined ? ['key', 'cert'] : ['cert', 'key'];
    problems.push({ path: ['tls', has], message: `tls.${has} is given without tls.${lacks}: a certificate of yours needs both (or neither, for hactl's own)` });
  }
  if (usable(['balancer', 'method']) && ENGINE_METHODS[c.balancer.engine][c.balancer.method] === undefined) {
    const has = Object.keys(ENGINE_METHODS[c.balancer.engine]).join(', ');
    problems.push({ path: ['balancer', 'method'], message: `${c.balancer.method} is not a method of ${c.balancer.engine} (${c.balancer.engine} has ${has})` });
  }
  return problems;
}
