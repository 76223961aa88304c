import { HactlError } from '../errors.js';
import type { ServerAction } from '../plan/action.js';
import { parseBalancerManager, type ApacheBalancer, type ApacheMember } from './balancer-manager.js';

/**
 * What answers on the stats port is not (or not yet) lb-web's
 * balancer-manager: another engine's stats page while lb-web switches
 * engines, or an answer other than 200.
 */
export class NotAManager extends HactlError {}

/** The balancer hactl renders (templates/apache-web.conf.hbs). */
const BALANCER = 'web';

/**
 * The apache engine's runtime API: balancer-manager on lb-web's stats port,
 * behind the stats login. It drops the parameters of a request whose
 * Referer is not its own page, and ignores a change without the current
 * nonce, answering 200 either way: every change reads the state back.
 */
export class ManagerClient {
  readonly #page: string;
  readonly #auth: string;

  constructor(statsAddress: string, user: string, password: string) {
    this.#page = `http://${statsAddress}/balancer-manager`;
    this.#auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }

  async #request(body?: URLSearchParams): Promise<string> {
    const res = await fetch(body ? this.#page : `${this.#page}?b=${BALANCER}&xml=1`, {
      method: body ? 'POST' : 'GET',
      headers: { authorization: this.#auth, referer: this.#page, ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(body ? { body } : {}),
      signal: AbortSignal.timeout(5000),
    });
    const text = await res.text();
    if (!res.ok) throw new NotAManager(`lb-web's balancer-manager answered ${res.status}`);
    return text;
  }

  /** The balancer as the manager reports it now. */
  async balancer(): Promise<ApacheBalancer> {
    const found = parseBalancerManager(await this.#request()).find((b) => b.name === `balancer://${BALANCER}`);
    if (!found) throw new NotAManager(`lb-web's balancer-manager has no balancer://${BALANCER}`);
    return found;
  }

  /** Carry out ACTION on the member whose route is its server's (a web node's cookie value), and check it took. */
  async apply(action: ServerAction, route: string): Promise<ApacheMember> {
    const before = await this.balancer();
    const member = before.members.find((m) => m.route === route);
    if (!member) throw new HactlError(`lb-web (apache) has no member with route ${route} for ${action.server}`);
    const fields = managerFields(action);
    await this.#request(new URLSearchParams({ b: BALANCER, nonce: before.nonce, w: member.url, ...fields }));
    const after = (await this.balancer()).members.find((m) => m.url === member.url)!;
    if (!took(fields, after)) throw new HactlError(`lb-web (apache) did not take ${describe(fields)} for ${action.server}: its flags are ${after.flags.join(' ')}, loadfactor ${after.loadfactor}`);
    return after;
  }
}

type Fields = Record<string, string>;

/**
 * A server action in balancer-manager's form fields: drain is the N flag,
 * maintenance the D flag, ready neither; a weight is the loadfactor
 * (validation keeps the apache engine's weights to 1-100).
 */
export function managerFields(action: ServerAction): Fields {
  if (action.kind === 'set-server-state') {
    return { w_status_N: action.state === 'drain' ? '1' : '0', w_status_D: action.state === 'maint' ? '1' : '0' };
  }
  return { w_lf: String(action.weight) };
}

function took(fields: Fields, member: ApacheMember): boolean {
  const flag = (name: string, on: string | undefined) => on === undefined || member.flags.includes(name) === (on === '1');
  return flag('Drn', fields.w_status_N) && flag('Dis', fields.w_status_D) && (fields.w_lf === undefined || member.loadfactor === Number(fields.w_lf));
}

function describe(fields: Fields): string {
  return Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(' ');
}
