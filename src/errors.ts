/** Exit codes shared by every command, so CI scripts can gate on them. */
export const EXIT = {
  ok: 0,
  failed: 1,
  badInput: 2,
  degraded: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * The one error type commands throw. The top-level handler prints `message`
 * (and `details`, one per line) and exits with `exitCode`; commands never
 * call process.exit themselves.
 */
export class HactlError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failed,
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'HactlError';
  }

  /** The command has printed its own report; only the exit code is left to give. */
  static quiet(exitCode: ExitCode): HactlError {
    return new HactlError('', exitCode);
  }
}

export function badInput(message: string, details: readonly string[] = []): HactlError {
  return new HactlError(message, EXIT.badInput, details);
}
