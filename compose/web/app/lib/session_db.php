<?php

declare(strict_types=1);

/**
 * PHP sessions in MariaDB, shared by every web node through lb-db.
 *
 * Each session row is locked from read() until write()/close(): a transaction
 * holds `SELECT ... FOR UPDATE`. Without it two parallel requests of one session
 * both read the old data and the later write silently drops the other's change
 * (the files handler avoids that with flock(); a DB handler has to do it itself).
 */
final class DbSessionHandler implements SessionHandlerInterface, SessionUpdateTimestampHandlerInterface
{
    private const TABLE = 'hactl_sessions';

    /** The table's one definition, shared with hactl's replication bootstrap. */
    private const CREATE_TABLE_FILE = __DIR__ . '/../sql/sessions.sql';

    private const ER_NO_SUCH_TABLE = 1146;

    private ?PDO $pdo = null;

    /** Set by gc() when it must wait for the row lock to be released; see gc(). */
    private ?int $pendingGcMaxLifetime = null;

    /** @param Closure(): PDO $connect */
    public function __construct(private readonly Closure $connect)
    {
    }

    public function open(string $path, string $name): bool
    {
        $this->pdo = ($this->connect)();
        return true;
    }

    /** Strict mode: an id that is not in the table is refused, so nobody can choose their session id. */
    public function validateId(string $id): bool
    {
        try {
            return $this->run('SELECT 1 FROM ' . self::TABLE . ' WHERE id = ?', [$id])->fetchColumn() !== false;
        } catch (PDOException $e) {
            if (self::isMissingTable($e)) {
                return false;
            }
            throw $e;
        }
    }

    public function read(string $id): string
    {
        try {
            return $this->lockAndRead($id);
        } catch (PDOException $e) {
            // Created on first use instead of on every request: even a no-op
            // CREATE TABLE IF NOT EXISTS is written to the binlog and replicated.
            if (!self::isMissingTable($e)) {
                throw $e;
            }
            $this->rollBackIfActive();
            $this->db()->exec((string) file_get_contents(self::CREATE_TABLE_FILE));
            return $this->lockAndRead($id);
        }
    }

    public function write(string $id, string $data): bool
    {
        // An upsert: after session_regenerate_id() PHP writes an id it never read.
        $this->run(
            'INSERT INTO ' . self::TABLE . ' (id, data, updated_at) VALUES (?, ?, ?)
             ON DUPLICATE KEY UPDATE data = VALUES(data), updated_at = VALUES(updated_at)',
            [$id, $data, time()],
        );
        $this->commitIfActive();
        return true;
    }

    /** Called instead of write() when the data did not change (session.lazy_write). */
    public function updateTimestamp(string $id, string $data): bool
    {
        $this->run('UPDATE ' . self::TABLE . ' SET updated_at = ? WHERE id = ?', [time(), $id]);
        $this->commitIfActive();
        return true;
    }

    public function destroy(string $id): bool
    {
        $this->run('DELETE FROM ' . self::TABLE . ' WHERE id = ?', [$id]);
        $this->commitIfActive();
        return true;
    }

    /**
     * PHP calls gc() right after read(), while this request holds its row lock.
     * Deleting other rows then could deadlock with another request doing the
     * same in the other order, so inside a transaction the delete waits for close().
     */
    public function gc(int $max_lifetime): int
    {
        if ($this->pdo?->inTransaction()) {
            $this->pendingGcMaxLifetime = $max_lifetime;
            return 0;
        }
        return $this->deleteExpired($max_lifetime);
    }

    /**
     * Commits rather than rolls back: a read-only request (read_and_close) keeps
     * the row of a new session, as the files handler keeps its empty file.
     */
    public function close(): bool
    {
        if ($this->pdo === null) {
            return true;
        }
        $this->commitIfActive();
        if ($this->pendingGcMaxLifetime !== null) {
            $this->deleteExpired($this->pendingGcMaxLifetime);
            $this->pendingGcMaxLifetime = null;
        }
        $this->pdo = null;
        return true;
    }

    private function lockAndRead(string $id): string
    {
        $this->db()->beginTransaction();
        // ON DUPLICATE KEY takes an exclusive lock at once. INSERT IGNORE would
        // take a shared one, and two requests both upgrading it to FOR UPDATE deadlock.
        $this->run(
            'INSERT INTO ' . self::TABLE . " (id, data, updated_at) VALUES (?, '', ?) ON DUPLICATE KEY UPDATE id = id",
            [$id, time()],
        );
        $data = $this->run('SELECT data FROM ' . self::TABLE . ' WHERE id = ? FOR UPDATE', [$id])->fetchColumn();
        return is_string($data) ? $data : '';
    }

    private function deleteExpired(int $maxLifetime): int
    {
        return $this->run('DELETE FROM ' . self::TABLE . ' WHERE updated_at < ?', [time() - $maxLifetime])->rowCount();
    }

    /** @param list<string|int> $params */
    private function run(string $sql, array $params): PDOStatement
    {
        $statement = $this->db()->prepare($sql);
        $statement->execute($params);
        return $statement;
    }

    private function db(): PDO
    {
        return $this->pdo ?? throw new LogicException('session handler used before open()');
    }

    private function commitIfActive(): void
    {
        if ($this->db()->inTransaction()) {
            $this->db()->commit();
        }
    }

    private function rollBackIfActive(): void
    {
        if ($this->db()->inTransaction()) {
            $this->db()->rollBack();
        }
    }

    private static function isMissingTable(PDOException $e): bool
    {
        return (int) ($e->errorInfo[1] ?? 0) === self::ER_NO_SUCH_TABLE;
    }
}
