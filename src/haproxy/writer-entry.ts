/**
 * lb-db's writer: the one entry of backend mariadb's stick table (stick on
 * int(1)), naming the master every connection goes to while it is usable.
 * Its peers section keeps it across reloads (templates/haproxy-db.cfg.hbs).
 */
export const WRITER_TABLE = 'mariadb';

/**
 * The runtime API commands that show the entry: the whole table (its header
 * says how many entries it holds, even none), then the key alone (HAProxy
 * leaves an entry that a connection is updating out of a listing; asked by
 * its key, it rarely does), then the servers with their ids (an entry a DB
 * agent made names its server by id until a connection goes through it).
 */
export const SHOW_WRITER = `show table ${WRITER_TABLE};show table ${WRITER_TABLE} key 1;show servers state ${WRITER_TABLE}`;

/**
 * The master the entry names; null when there is none yet (the first
 * connection makes it); undefined when HAProxy left it out of the listing
 * because a connection was updating it right then.
 */
export function parseWriterEntry(answer: string): string | null | undefined {
  const entry = / server_id=(\d+) server_key=(\S+)/.exec(answer);
  if (entry) {
    if (entry[2] !== '-') return entry[2]!;
    // `show servers state`: be_id be_name srv_id srv_name …
    const byId = new RegExp(`^\\d+ ${WRITER_TABLE} ${entry[1]} (\\S+) `, 'm').exec(answer);
    return byId ? byId[1]! : undefined;
  }
  return /^# table: \S+, .* used:0$/m.test(answer) ? null : undefined;
}

/** Runtime API commands of a writer move (lb-db's backend mariadb). */
export const writerCommands = {
  /**
   * Out of lb-db's pick, by weight 0: a DB agent's answer (up) lifts an
   * administrative drain at its next check, not a weight. Agents take a
   * writer at weight 0 for none, so its own makes it read-only.
   */
  drain: (server: string) => `set weight ${WRITER_TABLE}/${server} 0`,
  /** Back at the weight the config gives. */
  ready: (server: string) => `set weight ${WRITER_TABLE}/${server} 100%`,
  /** Forget the writer: the next connection goes to the one server left in the pick, and names it. */
  forget: `clear table ${WRITER_TABLE}`,
  /** End every connection through lb-db to SERVER: a pooled one would otherwise keep writing there. */
  endSessions: (server: string) => `shutdown sessions server ${WRITER_TABLE}/${server}`,
};
