<?php

declare(strict_types=1);

/** A down DB node must cost a page seconds, not the PHP default of a minute. */
const DB_CONNECT_TIMEOUT_S = 2;

/**
 * Also bounds the wait for the server's greeting, which is what a frozen DB
 * node behind lb-db costs (the TCP connect itself succeeds). Longer than
 * DB_LOCK_WAIT_S so that a request queued behind a session lock gets the
 * server's clear "lock wait timeout" rather than a cut connection.
 */
const DB_READ_TIMEOUT_S = 5;
const DB_LOCK_WAIT_S = 4;

/** Connects to the DB entry (lb-db); every failure is a PDOException or an ErrorException. */
function db_connect(DbSettings $db): PDO
{
    // mysqlnd's default read timeout is a day: a backend that accepts and then hangs would pin the worker.
    ini_set('mysqlnd.net_read_timeout', (string) DB_READ_TIMEOUT_S);
    $pdo = new PDO(
        "mysql:host={$db->host};port={$db->port};dbname={$db->name};charset=utf8mb4",
        $db->user,
        $db->password,
        [
            PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
            PDO::ATTR_TIMEOUT => DB_CONNECT_TIMEOUT_S,
            PDO::ATTR_EMULATE_PREPARES => false,
            PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
        ],
    );
    // READ COMMITTED: the session handler locks single rows; gap locks would only add deadlocks.
    $pdo->exec("SET SESSION tx_isolation = 'READ-COMMITTED', innodb_lock_wait_timeout = " . DB_LOCK_WAIT_S);
    return $pdo;
}

/** Milliseconds since an hrtime(true) reading. */
function ms_since(int $start): float
{
    return round((hrtime(true) - $start) / 1e6, 2);
}
