/**
 * A one-line progress bar for interactive terminals. It draws only when standard error is a
 * TTY and no `CI` variable is set, so CI logs and piped output stay clean.
 */

/** `true`/`false` force the bar on/off; `'auto'` (default) draws on a terminal outside CI. */
export type ProgressSetting = boolean | 'auto';

interface Stream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

function stderrStream(): Stream | null {
  const p = (
    globalThis as { process?: { stderr?: Stream; env?: Record<string, string | undefined> } }
  ).process;
  return p?.stderr ?? null;
}

function enabled(setting: ProgressSetting): boolean {
  if (setting !== 'auto') return setting;
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const stream = stderrStream();
  return Boolean(stream?.isTTY) && !p?.env?.CI;
}

/** Progress over a known number of steps, redrawn at most every 100 ms. */
export class ProgressBar {
  private readonly isActive: boolean;
  private readonly stream: Stream | null;
  private lastDraw = 0;
  private readonly started = Date.now();
  private readonly total: number;
  private readonly label: string;

  constructor(total: number, label: string, setting: ProgressSetting = 'auto') {
    this.total = total;
    this.label = label;
    this.stream = stderrStream();
    this.isActive = enabled(setting) && this.stream !== null;
  }

  /** Whether the bar draws at all (callers can skip building status text when it does not). */
  get active(): boolean {
    return this.isActive;
  }

  /** Reports that `done` steps are complete, with a short status (e.g. the loss). */
  update(done: number, status = ''): void {
    if (!this.isActive) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && done < this.total) return;
    this.lastDraw = now;
    const width = 24;
    const fraction = Math.min(1, done / Math.max(1, this.total));
    const filled = Math.round(width * fraction);
    const elapsed = (now - this.started) / 1000;
    const eta = fraction > 0 ? (elapsed * (1 - fraction)) / fraction : 0;
    const line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} ${status} ${elapsed.toFixed(0)}s<${eta.toFixed(0)}s`;
    const columns = this.stream?.columns ?? 100;
    this.stream?.write(
      `\r${line.slice(0, columns - 1).padEnd(Math.min(columns - 1, line.length))}`,
    );
  }

  /** Ends the line. */
  finish(): void {
    if (this.isActive) this.stream?.write('\n');
  }
}
