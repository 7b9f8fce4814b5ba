/**
 * Errors raised by scichain. Every error names the thing at fault (a parameter, an argument,
 * a row and column, a time) so that a user can find it without a debugger.
 */

/** Machine-readable error categories. */
export type ErrorCode =
  | 'InvalidArgument'
  | 'ShapeMismatch'
  | 'NonFinite'
  | 'UnknownName'
  | 'InvalidState'
  /** An ODE solve did not reach the end of its span (step size collapsed, step budget spent…). */
  | 'SolverFailed'
  /** The runtime lacks a capability that was asked for (WebAssembly SIMD, shared memory). */
  | 'Unsupported'
  /** A WebAssembly arena cannot hold another buffer without detaching live views. */
  | 'ArenaFull'
  /** A worker thread failed to start or failed in a task; the message carries its error. */
  | 'WorkerFailed';

/** Base class of every error scichain throws on purpose. */
export class ScichainError extends Error {
  /** Category of the failure, stable across versions. */
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'ScichainError';
    this.code = code;
  }
}

/** Throws an `InvalidArgument` error naming `what` unless `ok` holds. */
export function require_(ok: boolean, what: string, problem: string): asserts ok {
  if (!ok) throw new ScichainError('InvalidArgument', `${what}: ${problem}`);
}

/** Checks that `value` is a finite number; names `what` otherwise. */
export function requireFinite(value: number, what: string): void {
  if (!Number.isFinite(value)) {
    throw new ScichainError('NonFinite', `${what} must be a finite number, got ${value}`);
  }
}

/** Checks that `value` is an integer ≥ `min`; names `what` otherwise. */
export function requireInteger(value: number, what: string, min = 0): void {
  if (!Number.isInteger(value) || value < min) {
    throw new ScichainError('InvalidArgument', `${what} must be an integer ≥ ${min}, got ${value}`);
  }
}

/** Checks an array length; the message names `what`, the expected and the actual length. */
export function requireLength(
  array: { length: number },
  expected: number,
  what: string,
  atLeast = false,
): void {
  const ok = atLeast ? array.length >= expected : array.length === expected;
  if (!ok) {
    throw new ScichainError(
      'ShapeMismatch',
      `${what} has length ${array.length} but ${atLeast ? 'at least ' : ''}${expected} is needed`,
    );
  }
}

/**
 * Finds the first non-finite entry of a row-major `rows × cols` block and throws an error that
 * names its row and column (0-based) — used to validate data once, before training starts.
 */
export function requireFiniteMatrix(
  data: ArrayLike<number>,
  rows: number,
  cols: number,
  what: string,
): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = data[r * cols + c];
      if (!Number.isFinite(v)) {
        throw new ScichainError(
          'NonFinite',
          `${what} has a non-finite value ${v} at row ${r}, column ${c} (0-based)`,
        );
      }
    }
  }
}
