import { describe, expect, it } from 'vitest';
import { dumpGtidPosition, gtidByDomain, gtidReached } from '../../src/mysql/clone.js';

// The end of a real `mariadb-dump --single-transaction --master-data=2` (MariaDB 10.11.19).
const DUMP_TAIL = `UNLOCK TABLES;

-- The deferred gtid setting for slave corresponding to the master-data CHANGE-MASTER follows

-- Preferably use GTID to start replication from GTID position:

-- SET GLOBAL gtid_slave_pos='1-1-2231,2-2-4';
/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;

-- Dump completed on 2026-11-22  3:20:42
`;

describe('dumpGtidPosition', () => {
  it('reads the commented GTID line near the end of the dump', () => {
    expect(dumpGtidPosition(DUMP_TAIL)).toBe('1-1-2231,2-2-4');
    // A donor that never wrote anything to its binlog.
    expect(dumpGtidPosition("-- SET GLOBAL gtid_slave_pos='';\n")).toBe('');
  });

  it('fails plainly when the dump has none', () => {
    expect(() => dumpGtidPosition('-- MariaDB dump\n')).toThrow(/no GTID position/);
  });
});

describe('GTID positions', () => {
  it('maps domains to sequence numbers', () => {
    expect([...gtidByDomain('1-1-40, 2-2-17')]).toEqual([
      [1, 40],
      [2, 17],
    ]);
    expect(gtidByDomain('').size).toBe(0);
  });

  it('has reached a target when every domain of the target is at or past it', () => {
    expect(gtidReached('1-1-40,2-2-17', '1-1-40')).toBe(true);
    expect(gtidReached('1-1-41,2-2-17,3-3-1', '1-1-40,2-2-17')).toBe(true);
    expect(gtidReached('1-1-39,2-2-17', '1-1-40')).toBe(false);
    expect(gtidReached('2-2-17', '1-1-1')).toBe(false);
    expect(gtidReached('', '')).toBe(true);
  });
});
