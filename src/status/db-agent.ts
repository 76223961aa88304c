/** What a DB node's health agent last answered lb-db (compose/db/db-agent.sh writes it). */
export interface AgentAnswer {
  answer: 'up' | 'drain' | 'down';
  /** Why it drains or is down (or, for the writer, what is wrong with a link it keeps serving through); empty when well. */
  reason: string;
  /** The writer as the agent saw it in lb-db; null: none; '?': lb-db did not answer. */
  writer: string | null;
  read_only: boolean | null;
  /** Seconds since that answer; null when the file has no time. */
  age_s: number | null;
}

/** An answer older than this means the agent no longer runs (lb-db asks twice a second). */
export const AGENT_STALE_S = 5;

/** The agent's state file: answer, reason, writer, read_only, unix time, tab-separated. */
export function parseAgentState(text: string | undefined, nowS: number): AgentAnswer | null {
  const [answer, reason = '', writer = '', readOnly = '', at = ''] = (text ?? '').trimEnd().split('\t');
  if (answer !== 'up' && answer !== 'drain' && answer !== 'down') return null;
  const time = Number(at);
  return {
    answer,
    reason,
    writer: writer === '' ? null : writer,
    read_only: readOnly === '1' ? true : readOnly === '0' ? false : null,
    age_s: Number.isFinite(time) && time > 0 ? Math.max(0, nowS - time) : null,
  };
}
