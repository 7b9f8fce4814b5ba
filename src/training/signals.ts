/** Conventions for programs stopped by a signal. */

/** The exit status a command-line program should end with after `signal` (130 or 143). */
export function signalExitCode(signal: 'SIGINT' | 'SIGTERM'): number {
  return signal === 'SIGINT' ? 130 : 143;
}

/**
 * Watches SIGINT and SIGTERM while a long run works in slices: the run reads {@link pending}
 * between slices, finishes cleanly (checkpoint) and stops. A second signal while the first is
 * being handled exits at once — the user wants out now. {@link dispose} removes the handlers.
 * A disabled watch (`enabled` false) installs nothing and never reports a signal.
 */
export class SignalWatch {
  /** The first signal received, if any. */
  pending: 'SIGINT' | 'SIGTERM' | undefined;
  private readonly enabled: boolean;
  private readonly onSignal = (signal: 'SIGINT' | 'SIGTERM'): void => {
    if (this.pending !== undefined) process.exit(signalExitCode(signal));
    this.pending = signal;
  };

  constructor(enabled: boolean) {
    this.enabled = enabled;
    if (enabled) {
      process.on('SIGINT', this.onSignal);
      process.on('SIGTERM', this.onSignal);
    }
  }

  /** Removes the handlers. */
  dispose(): void {
    if (this.enabled) {
      process.off('SIGINT', this.onSignal);
      process.off('SIGTERM', this.onSignal);
    }
  }
}
