/**
 * The control block through which the pool's threads synchronise: one SharedArrayBuffer with a
 * slot of Int32 fields per worker (commands go in, completions come out, through `Atomics`),
 * followed by a byte area per worker where a failing worker writes its error message for the
 * main thread to throw.
 *
 * The Node boot script (`nodeBootScript` in host.ts: plain JavaScript, it runs before the entry
 * can be loaded) writes a boot failure and the worker's exit with the same layout, through the
 * constants passed to it; keep the two in step.
 */

/** Int32 fields per worker slot. */
export const SLOT = 10;
/** Sequence number of the last command given (the worker waits on it). */
export const COMMAND = 0;
/** Task id of the command. */
export const TASK = 1;
/** Operation code of the command, handed to the task. */
export const OP = 2;
/** Sequence number of the last command finished (the main thread waits on it). */
export const DONE = 3;
/** 1 when the last command, registration or boot failed; the message says why. */
export const FAILED = 4;
/** Highest task id whose registration finished; −1 when the worker failed to start. */
export const REGISTERED = 5;
/** Length in bytes of the error message. */
export const MESSAGE_LENGTH = 6;
/**
 * 1 once the worker has stopped — exited (`process.exit`), died of an uncaught error (a timer's
 * throw), failed to boot, or was stopped by the pool after a timeout; the message says why. The
 * worker's own exit hook writes it (the Node boot script, the Web Worker's error handlers), so a caller blocked in a wait sees it
 * without its event loop running; the pool writes it too when the host reports the exit.
 */
export const EXITED = 7;
/**
 * 1 once the worker entry has loaded and taken its `init` message (the boot handshake): a worker
 * whose entry is missing, fails to evaluate or is never started (a browser thread that has not
 * yet returned to its event loop) never sets it, and the caller's bounded wait for it fails.
 */
export const BOOTED = 8;
/** Bytes of error message kept per worker. */
export const MESSAGE_BYTES = 2048;

/** The operation code that tells a worker to leave its loop (the pool is closing). */
export const OP_CLOSE = -1;

/** A control block for `workers` workers. */
export function controlBlock(workers: number): Int32Array {
  const bytes = workers * (SLOT * 4 + MESSAGE_BYTES);
  return new Int32Array(new SharedArrayBuffer(bytes));
}

/** The message bytes of worker `index`. */
function messageArea(control: Int32Array, index: number): Uint8Array {
  const workers = control.length / (SLOT + MESSAGE_BYTES / 4);
  const start = workers * SLOT * 4 + index * MESSAGE_BYTES;
  return new Uint8Array(control.buffer, start, MESSAGE_BYTES);
}

/** Records a failure of worker `index` (message truncated to the area). */
export function writeFailure(control: Int32Array, index: number, error: unknown): void {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const encoded = new TextEncoder().encode(text).subarray(0, MESSAGE_BYTES);
  messageArea(control, index).set(encoded);
  control[index * SLOT + MESSAGE_LENGTH] = encoded.length;
  Atomics.store(control, index * SLOT + FAILED, 1);
}

/**
 * Records that worker `index` has stopped, with `cause`, unless a cause is recorded already, and
 * wakes a caller waiting on any of the slot's words.
 */
export function writeExit(control: Int32Array, index: number, cause: string): void {
  const base = index * SLOT;
  if (Atomics.load(control, base + EXITED) === 1) return;
  const encoded = new TextEncoder().encode(cause).subarray(0, MESSAGE_BYTES);
  messageArea(control, index).set(encoded);
  control[base + MESSAGE_LENGTH] = encoded.length;
  Atomics.store(control, base + EXITED, 1);
  Atomics.notify(control, base + DONE);
  Atomics.notify(control, base + REGISTERED);
  Atomics.notify(control, base + BOOTED);
}

/** The failure message of worker `index`. */
export function readFailure(control: Int32Array, index: number): string {
  const length = control[index * SLOT + MESSAGE_LENGTH];
  // Decoding needs an unshared copy (TextDecoder refuses views of shared memory).
  return new TextDecoder().decode(messageArea(control, index).slice(0, length));
}

let nanosecondsPerLoad = 0;

/**
 * How many loads of a control word take about `microseconds` on this machine. Spins are counted
 * in loads rather than read from a clock (a loop over clock readings boxes doubles until V8
 * optimises it, which showed as allocation), and the count is calibrated once per thread: a load
 * took ~15 ns on one machine and ~5 ns on another, where a fixed count of 3,000 loads spun for
 * 16 µs instead of 50 and let workers fall asleep between the rounds of a training step. The
 * calibration times at least a millisecond of loads (coarse clocks included) on an ordinary
 * Int32Array, so it runs where SharedArrayBuffer does not exist.
 */
export function spinLoads(microseconds: number): number {
  if (nanosecondsPerLoad === 0) {
    const word = new Int32Array(1);
    let seen = 0;
    let best = Infinity;
    for (let loads = 4096; loads < 1 << 26; loads *= 2) {
      const start = performance.now();
      for (let i = 0; i < loads; i++) seen += Atomics.load(word, 0);
      const elapsed = performance.now() - start;
      if (elapsed > 0) best = Math.min(best, (elapsed * 1e6) / loads);
      if (elapsed >= 1) break;
    }
    // `seen` stays 0; using it keeps the loop from being removed. Bounded to 0.5–50 ns.
    nanosecondsPerLoad = Math.min(50, Math.max(0.5, Number.isFinite(best) ? best : 5)) + seen;
  }
  return Math.ceil((microseconds * 1000) / nanosecondsPerLoad);
}
