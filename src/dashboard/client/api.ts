/** The dashboard's JSON API, with the session's CSRF token on every request that changes something. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: string[] = [],
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

let csrf = '';

export function setCsrf(token: string): void {
  csrf = token;
}

export async function call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const type = res.headers.get('content-type') ?? '';
  const payload: unknown = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    const e = (payload as { error?: { message?: string; details?: string[]; fields?: Record<string, string> } }).error;
    throw new ApiError(res.status, e?.message ?? `HTTP ${res.status}`, e?.details ?? [], e?.fields ?? {});
  }
  return payload as T;
}
