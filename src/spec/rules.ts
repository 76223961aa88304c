import { hostPort, WILDCARD_ADDRESSES } from '../util/net.js';
import { isHost } from './formats.js';
import { MAX_DB_NODES, type Cluster, type Tier } from './model.js';
import type { Problem } from './problem.js';

type Path = (string | number)[];

interface Endpoint {
  owner: string;
  host: string;
  port: number;
  path: Path;
}


function endpoints(c: Cluster, usable: (path: Path) => boolean): Endpoint[] {
  const out: Endpoint[] = [];
  for (const [key, port] of Object.entries(c.ports)) {
    if (usable(['ports', key]) && usable(['listen'])) out.push({ owner: `ports.${key}`, host: c.listen, port, path: ['ports', key] });
  }
  for (const tier of ['web', 'db'] as const) {
    c[tier].forEach((n, i) => {
      if (usable([tier, i, 'host']) && usable([tier, i, 'port'])) out.push({ owner: n.name, host: n.host, port: n.port, path: [tier, i, 'port'] });
    });
  }
  return out;
}

/**
 * Rules that span fields, which a JSON Schema cannot say. INVALID holds the
 * paths that already have a problem: their values are not compared again,
 * so one mistake is reported once. EXPLICIT_IDS are the DB ids written in
 * the file (normalizing gives a clashing one another number).
 */
export function crossFieldProblems(c: Cluster, invalid: readonly Path[], explicitIds: readonly (number | undefined)[] = []): Problem[] {
  // A value is usable unless it, or something that contains it, is invalid.
  const usable = (path: Path) => !invalid.some((bad) => bad.length <= path.length && bad.every((p, i) => path[i] === p));
  const problems: Problem[] = [];

  const names = new Map<string, string>();
  for (const tier of ['web', 'db'] as const satisfies Tier[]) {
    c[tier].forEach((n, i) => {
      if (!usable([tier, i, 'name'])) return;
      const first = names.get(n.name);
      if (first) problems.push({ path: [tier, i, 'name'], message: `name ${JSON.stringify(n.name)} is already used by ${first}` });
      else names.set(n.name, `${tier}[${i}]`);
    });
  }

  const seen: Endpoint[] = [];
  for (const e of endpoints(c, usable)) {
    const clash = seen.find((s) => s.port === e.port && (s.host === e.host || WILDCARD_ADDRESSES.has(s.host) || WILDCARD_ADDRESSES.has(e.host)));
    if (clash) problems.push({ path: e.path, message: `${hostPort(e.host, e.port)} is already used by ${clash.owner}` });
    else seen.push(e);
  }

  const cookies = new Map<string, string>();
  c.web.forEach((n, i) => {
    if (!usable(['web', i, 'cookie'])) return;
    const first = cookies.get(n.cookie);
    if (first) problems.push({ path: ['web', i, 'cookie'], message: `cookie ${JSON.stringify(n.cookie)} is already used by ${first}` });
    else cookies.set(n.cookie, n.name);
  });

  for (const tier of ['web', 'db'] as const) {
    c[tier].forEach((n, i) => {
      if (usable([tier, i, 'host']) && !isHost(n.host)) {
        problems.push({ path: [tier, i], message: `address ${JSON.stringify(n.host)} made from defaults.${tier}.host is not a valid address` });
      }
    });
  }

  if (c.sessionMode === 'db' && c.db.length === 0) {
    problems.push({ path: ['session_mode'], message: 'db sessions need at least one DB node, and db: lists none' });
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
  if (c.balancer.engine === 'apache') {
    problems.push({ path: ['balancer', 'engine'], message: 'apache is reserved for a later release of hactl; use haproxy' });
  }
  return problems;
}
