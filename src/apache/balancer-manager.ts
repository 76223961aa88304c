import { XMLParser } from 'fast-xml-parser';
import type { NodeStatusWord } from '../status/model.js';

/** One member of Apache's balancer as balancer-manager's XML view reports it (`?b=web&xml=1`). */
export interface ApacheMember {
  /** The member's URL: http://host:port. */
  url: string;
  /** hactl renders each web node's cookie value as its route. */
  route: string;
  /** 1-100 (HAProxy's weight scaled: src/render/apache.ts). */
  loadfactor: number;
  /** Apache's own words, e.g. ["Init", "Drn", "Ok"]. */
  flags: string[];
  /** Requests under way. */
  busy: number;
  /** Requests the method gave it (a sticky visitor's are not counted). */
  elected: number;
  /** Bytes read from it: grows with every request it serves, sticky or not. */
  read: number;
}

export interface ApacheBalancer {
  name: string;
  /** What a change through the manager must carry; new at every graceful restart. */
  nonce: string;
  lbmethod: string;
  members: ApacheMember[];
}

const parser = new XMLParser({
  removeNSPrefix: true,
  parseTagValue: false,
  // A balancer or a worker is a list even when there is one; loadfactor appears twice per worker.
  isArray: (name) => ['balancer', 'worker', 'loadfactor'].includes(name),
});

const text = (v: unknown): string => (Array.isArray(v) ? text(v[0]) : typeof v === 'string' ? v.trim() : '');

/** Parse the XML view of balancer-manager: every balancer and its members. */
export function parseBalancerManager(xml: string): ApacheBalancer[] {
  const doc = parser.parse(xml) as { manager?: { balancers?: { balancer?: Record<string, unknown>[] } } };
  return (doc.manager?.balancers?.balancer ?? []).map((b) => ({
    name: text(b.name),
    nonce: text(b.nonce),
    lbmethod: text(b.lbmethod),
    members: ((b.workers as { worker?: Record<string, unknown>[] } | undefined)?.worker ?? []).map((w) => ({
      url: text(w.name),
      route: text(w.route),
      loadfactor: Number(text(w.loadfactor)),
      flags: text(w.status).split(/\s+/).filter(Boolean),
      busy: Number(text(w.busy)),
      elected: Number(text(w.elected)),
      read: Number(text(w.read)),
    })),
  }));
}

/**
 * A member's flags in the status words hactl shows for HAProxy's servers:
 * the administrative state first (Dis or Stop is maintenance, as HAProxy's
 * MAINT), then the checks (Err or HcFl: DOWN), then drain, then usable.
 */
export function memberStatus(flags: readonly string[]): NodeStatusWord {
  const has = (f: string) => flags.includes(f);
  if (has('Dis') || has('Stop')) return 'MAINT';
  if (has('Err') || has('HcFl')) return 'DOWN';
  if (has('Drn')) return 'DRAIN';
  if (has('Ok')) return 'UP';
  return 'UNKNOWN';
}
