import type { Connection, RowDataPacket } from 'mysql2/promise';

interface SlaveRow extends RowDataPacket {
  Connection_name: string;
  Slave_IO_Running: string;
  Slave_SQL_Running: string;
  Seconds_Behind_Master: number | null;
  Gtid_IO_Pos: string;
  Last_IO_Error: string;
  Last_SQL_Error: string;
}

/**
 * One named replication connection of a master (from another master), as
 * MariaDB reports it: the one reading of SHOW ALL SLAVES STATUS that set-up,
 * catch-up and status all use.
 */
export interface ReplicationConnection {
  /** The master it replicates from: connections are named after it. */
  from: string;
  /** MariaDB's own words: Yes, No, Connecting, Preparing. */
  ioRunning: string;
  sqlRunning: string;
  secondsBehind: number | null;
  gtidIoPos: string;
  ioError: string;
  sqlError: string;
}

export async function replicationConnections(conn: Connection): Promise<ReplicationConnection[]> {
  const [rows] = await conn.query<SlaveRow[]>('SHOW ALL SLAVES STATUS');
  return rows.map((r) => ({
    from: r.Connection_name,
    ioRunning: r.Slave_IO_Running,
    sqlRunning: r.Slave_SQL_Running,
    secondsBehind: r.Seconds_Behind_Master,
    gtidIoPos: r.Gtid_IO_Pos,
    ioError: r.Last_IO_Error,
    sqlError: r.Last_SQL_Error,
  }));
}

/** Both its threads run. */
export function replicating(c: ReplicationConnection): boolean {
  return c.ioRunning === 'Yes' && c.sqlRunning === 'Yes';
}
