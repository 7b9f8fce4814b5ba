/** Conventions for programs stopped by a signal, and a watch for long runs that work in slices. */
import { nodeProcess, type NodeProcess } from './node-builtins.ts';

/** The exit status a command-line program should end with after `signal` (130 or 143). */
export function signalExitCode(signal: 'SIGINT' | 'SIGTERM'): number {
  return signal === 'SIGINT' ? 130 : 143;
}

/** A repeated signal within this many ms of the first is the same one, delivered twice. */
const REPEAT_MS = 1000;

/**
 * Watches SIGINT and SIGTERM while a long run works in slices: the run reads {@link pending}
 * between slices, finishes cleanly (checkpoint) and stops. A second signal more than a second
 * after the first, while it is being handled, exits at once — the user wants out now. {@link dispose} removes the handlers.
 * A disabled watch (`enabled` false) installs nothing and never reports a signal; outside Node
 * (browsers, Web Workers: no signals) a watch is always disabled.
 */
export class SignalWatch {
  /** The first signal received, if any. */
  pending: 'SIGINT' | 'SIGTERM' | undefined;
  private readonly process: NodeProcess | undefined;
  private firstAt = 0;
  private readonly onSignal = (signal: 'SIGINT' | 'SIGTERM'): void => {
    // One Ctrl-C often arrives twice (the terminal signals the whole process group, and a
    // launcher such as tsx relays it to its child): only a signal a while after the first is
    // the user insisting.
    if (this.pending !== undefined) {
      if (performance.now() - this.firstAt > REPEAT_MS) this.process?.exit(signalExitCode(signal));
      return;
    }
    this.pending = signal;
    this.firstAt = performance.now();
  };

  constructor(enabled: boolean) {
    this.process = enabled ? nodeProcess() : undefined;
    this.process?.on('SIGINT', this.onSignal);
    this.process?.on('SIGTERM', this.onSignal);
  }

  /** Removes the handlers. */
  dispose(): void {
    this.process?.off('SIGINT', this.onSignal);
    this.process?.off('SIGTERM', this.onSignal);
  }
}
