<?php

declare(strict_types=1);

/**
 * The visitors of this node and what they changed, in a node-local file.
 *
 * Deliberately not in the DB: /visitors shows what this one node saw, and it
 * has to keep working while the DB is down. Session ids are not recorded:
 * the list is public and an id is as good as the session.
 */

/** Enough to follow a drill; the file stays a few dozen kilobytes. */
const VISITORS_KEEP = 200;

final class Visit
{
    public function __construct(
        public readonly int $at,
        public readonly string $client,
        public readonly string $field,
        public readonly ?string $from,
        public readonly string $to,
    ) {
    }

    /** @param array<mixed> $row */
    public static function fromRow(array $row): ?self
    {
        if (!is_int($row['at'] ?? null) || !is_string($row['client'] ?? null) || !is_string($row['field'] ?? null)
            || !(is_string($row['from'] ?? null) || ($row['from'] ?? null) === null) || !is_string($row['to'] ?? null)) {
            return null;
        }
        return new self($row['at'], $row['client'], $row['field'], $row['from'], $row['to']);
    }

    /** e.g. "color: red → blue" */
    public function change(): string
    {
        return "{$this->field}: " . ($this->from ?? '(none)') . " → {$this->to}";
    }

    public function time(): string
    {
        return gmdate('Y-m-d\TH:i:s\Z', $this->at);
    }

    /** @return array<string, string|int|null> */
    public function toArray(): array
    {
        return [
            'at' => $this->time(),
            'client' => $this->client,
            'field' => $this->field,
            'from' => $this->from,
            'to' => $this->to,
            'change' => $this->change(),
        ];
    }
}

function visitors_file(Settings $settings): string
{
    return $settings->dataDir . '/visitors.jsonl';
}

/**
 * Appends under an exclusive lock and trims to the last VISITORS_KEEP entries,
 * so parallel requests on this node neither lose nor interleave lines.
 */
function visitors_record(Settings $settings, Visit $visit): void
{
    ensure_directory($settings->dataDir, 0755);
    $handle = fopen(visitors_file($settings), 'c+');
    if ($handle === false) {
        throw new RuntimeException('cannot open ' . visitors_file($settings));
    }
    try {
        flock($handle, LOCK_EX);
        $lines = visitors_lines((string) stream_get_contents($handle));
        $lines[] = json_encode(get_object_vars($visit), JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE);
        $kept = array_slice($lines, -VISITORS_KEEP);
        ftruncate($handle, 0);
        rewind($handle);
        fwrite($handle, implode("\n", $kept) . "\n");
        fflush($handle);
    } finally {
        flock($handle, LOCK_UN);
        fclose($handle);
    }
}

/** @return list<Visit> newest first */
function visitors_list(Settings $settings): array
{
    if (!is_file(visitors_file($settings))) {
        return [];
    }
    $handle = fopen(visitors_file($settings), 'r');
    if ($handle === false) {
        throw new RuntimeException('cannot open ' . visitors_file($settings));
    }
    try {
        flock($handle, LOCK_SH);
        $content = (string) stream_get_contents($handle);
    } finally {
        flock($handle, LOCK_UN);
        fclose($handle);
    }
    $visits = [];
    foreach (array_reverse(visitors_lines($content)) as $line) {
        $row = json_decode($line, true);
        $visit = is_array($row) ? Visit::fromRow($row) : null;
        if ($visit !== null) {
            $visits[] = $visit;
        }
    }
    return $visits;
}

/** @return list<string> */
function visitors_lines(string $content): array
{
    return array_values(array_filter(explode("\n", $content), fn (string $line): bool => $line !== ''));
}
