/** lb-web's backend, as named in templates/haproxy-web.cfg.hbs. */
export const WEB_BACKEND = 'web';

/** The runtime API answers nothing on success, a sentence on failure. */
export function runtimeApiError(answer: string): string | undefined {
  const text = answer.trim();
  return text === '' ? undefined : text;
}
