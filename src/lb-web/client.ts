import type { ServerAdmin } from '../haproxy/servers-state.js';
import type { ServerAction } from '../plan/action.js';
import type { Engine } from '../spec/model.js';
import type { NodeStatusWord } from '../status/model.js';

/**
 * One web node as lb-web sees it, in the same words whichever engine runs
 * lb-web: what status, the planner, up's wait and remove web's wait read.
 */
export interface WebMember {
  /** The web node's name (Apache's member is found by its route, the node's cookie). */
  name: string;
  status: NodeStatusWord;
  /** The engine's own flags beside the status word (Apache: "Init Drn Ok"); null for HAProxy. */
  flags: string | null;
  /** The last check, as a person reads it. */
  check: string;
  /** Its last check passed: it takes visitors (or would, once undrained). */
  checked: boolean;
  sinceChangeS: number | null;
  /** Requests or connections under way, and queued. */
  sessions: number | null;
  queued: number | null;
  /** Requests it was given since lb-web started. */
  total: number | null;
  /** A counter that grows with every request it serves (HAProxy: sessions; Apache: bytes read, as sticky requests are not counted in total). */
  activity: number | null;
  /** In cluster.yaml's scale (HAProxy's weight). */
  weight: number | null;
  /** The administrative state and weight an operator sets (drain, maint, weight): what the planner compares. */
  admin: ServerAdmin;
}

/**
 * lb-web's runtime side, whichever engine runs it: HAProxy's runtime API
 * on its admin socket, or Apache's balancer-manager on the stats port.
 */
export interface LbWebClient {
  readonly engine: Engine;
  /** Every member it has; undefined when no lb-web answers. */
  members(): Promise<WebMember[] | undefined>;
  /** Carry out ACTIONS in order; a refusal is an error. */
  apply(actions: readonly ServerAction[]): Promise<void>;
}

/** Socket and connection errors that mean no lb-web is listening (never started, stopped, crashed). */
export const NOT_RUNNING = new Set(['ENOENT', 'ECONNREFUSED']);

/** ERR is a connection error that means nothing listens; fetch wraps it in its cause. */
export function notRunning(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  return NOT_RUNNING.has(e.code ?? '') || NOT_RUNNING.has(e.cause?.code ?? '');
}
