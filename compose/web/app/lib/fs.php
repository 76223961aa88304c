<?php

declare(strict_types=1);

function ensure_directory(string $path, int $mode): void
{
    // Two workers may create it at the same moment: only the end state matters.
    if (!@mkdir($path, $mode, true) && !is_dir($path)) {
        throw new RuntimeException("cannot create directory {$path}");
    }
}
