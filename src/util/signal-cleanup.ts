const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type Signal = (typeof SIGNALS)[number];

export interface SignalCleanup {
  /** The signal that came while installed, if one did: the caller's work is void. */
  readonly interrupted: Signal | undefined;
  dispose(): void;
}

/**
 * Run CLEANUP if Ctrl-C or a SIGTERM comes before dispose(): a finally
 * block never runs when the process dies of a signal.
 *
 * Then, if nothing else in the process listens for that signal, re-raise
 * it, so the process ends as it would have (a shell sees 130 or 143). If
 * something does (drill puts the cluster back, the dashboard stops, execa
 * kills its child and re-raises), the signal is theirs to act on; the
 * caller finds `interrupted` set once its await returns and gives up.
 */
export function cleanupOnSignal(cleanup: () => void): SignalCleanup {
  let interrupted: Signal | undefined;
  const handlers = SIGNALS.map((signal) => {
    const handler = () => {
      interrupted = signal;
      dispose();
      cleanup();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  const dispose = () => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
  return {
    get interrupted() {
      return interrupted;
    },
    dispose,
  };
}
