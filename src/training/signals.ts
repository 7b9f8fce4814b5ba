/** Conventions for programs stopped by a signal. */

/** The exit status a command-line program should end with after `signal` (130 or 143). */
export function signalExitCode(signal: 'SIGINT' | 'SIGTERM'): number {
  return signal === 'SIGINT' ? 130 : 143;
}
