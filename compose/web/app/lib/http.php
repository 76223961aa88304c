<?php

declare(strict_types=1);

final class Request
{
    /**
     * @param array<string, mixed> $query
     * @param array<string, mixed> $form
     * @param array<string, mixed> $cookies
     * @param array<string, string> $headers lower-case names
     */
    public function __construct(
        public readonly string $method,
        public readonly string $path,
        public readonly array $query,
        public readonly array $form,
        public readonly array $cookies,
        public readonly array $headers,
        public readonly string $remoteAddr,
        public readonly bool $https,
    ) {
    }

    public static function fromGlobals(): self
    {
        $headers = [];
        foreach ($_SERVER as $key => $value) {
            if (is_string($value) && str_starts_with((string) $key, 'HTTP_')) {
                $headers[strtolower(str_replace('_', '-', substr((string) $key, 5)))] = $value;
            }
        }
        $path = parse_url((string) ($_SERVER['REQUEST_URI'] ?? '/'), PHP_URL_PATH);
        return new self(
            method: strtoupper((string) ($_SERVER['REQUEST_METHOD'] ?? 'GET')),
            path: is_string($path) && $path !== '' ? $path : '/',
            query: $_GET,
            form: self::formOf($headers['content-type'] ?? ''),
            cookies: $_COOKIE,
            headers: $headers,
            remoteAddr: (string) ($_SERVER['REMOTE_ADDR'] ?? ''),
            https: ($_SERVER['HTTPS'] ?? 'off') !== 'off' && ($_SERVER['HTTPS'] ?? '') !== '',
        );
    }

    /**
     * The posted fields: PHP's own for a form, and a JSON object's members
     * for an API called with JSON ({"color":"teal"}). A body that is not a
     * JSON object gives no fields, so the handler says what is missing.
     *
     * @return array<string, mixed>
     */
    private static function formOf(string $contentType): array
    {
        if (!preg_match('#^application/json\b#i', $contentType)) {
            return $_POST;
        }
        // A field is a few bytes: the JSON of a page is never large.
        $body = file_get_contents('php://input', false, null, 0, 65536);
        $decoded = is_string($body) ? json_decode($body, true, 8) : null;
        return is_array($decoded) && !array_is_list($decoded) ? $decoded : [];
    }

    public function header(string $name): ?string
    {
        return $this->headers[strtolower($name)] ?? null;
    }

    /** Only plain strings: `color[]=x` would otherwise reach the code as an array. */
    public function field(string $name): ?string
    {
        $value = $this->form[$name] ?? null;
        return is_string($value) ? $value : null;
    }

    public function hasCookie(string $name): bool
    {
        return is_string($this->cookies[$name] ?? null);
    }

    public function wantsJson(): bool
    {
        return str_starts_with($this->path, '/api/') || ($this->query['format'] ?? null) === 'json';
    }
}

function h(string|int|float|null $value): string
{
    return htmlspecialchars((string) $value, ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML5, 'UTF-8');
}

function send_html(int $status, string $html): void
{
    http_response_code($status);
    header('Content-Type: text/html; charset=utf-8');
    echo $html;
}

function send_text(int $status, string $text): void
{
    http_response_code($status);
    header('Content-Type: text/plain; charset=utf-8');
    echo $text, "\n";
}

/** @param array<string, mixed> $data */
function send_json(int $status, array $data): void
{
    http_response_code($status);
    header('Content-Type: application/json; charset=utf-8');
    echo json_encode($data, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE), "\n";
}

/** For errors before or outside any page: JSON to API clients, plain text to the rest. */
function send_error(Request $request, int $status, string $message): void
{
    if ($request->wantsJson()) {
        send_json($status, ['error' => $message]);
    } else {
        send_text($status, $message);
    }
}

/** 303 so that reloading the result page does not post the form again. */
function redirect_after_post(string $location): void
{
    http_response_code(303);
    header('Location: ' . $location);
}
