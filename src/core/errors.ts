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
  /**
   * `options.cause` keeps the underlying error (for example Node's `ENOENT` error behind a file
   * that cannot be read) as the standard `Error.cause`.
   */
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScichainError';
    this.code = code;
  }
}

/** Throws an `InvalidArgument` error naming `what` unless `ok` holds. */
export function require_(ok: boolean, what: string, problem: string): asserts ok {
  if (!ok) throw new ScichainError('InvalidArgument', `${what}: ${problem}`);
}

/**
 * A short, bounded rendering of a bad value for messages: numbers as they are, strings quoted (so
 * `"10"` from JavaScript or a JSON file does not read as the number 10), arrays by length.
 */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing (the field is missing)';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v === null) return 'null';
  return typeof v;
}

/** Checks that `value` is a finite number; names `what` otherwise. */
export function requireFinite(value: number, what: string): void {
  if (!Number.isFinite(value)) {
    const code = typeof value === 'number' ? 'NonFinite' : 'InvalidArgument';
    throw new ScichainError(code, `${what} must be a finite number, got ${describeValue(value)}`);
  }
}

/** Checks that `value` is an integer ≥ `min`; names `what` otherwise. */
export function requireInteger(value: number, what: string, min = 0): void {
  if (!Number.isInteger(value) || value < min) {
    throw new ScichainError(
      'InvalidArgument',
      `${what} must be an integer ≥ ${min}, got ${describeValue(value)}`,
    );
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

/** Edit distance (insertions, deletions, substitutions, adjacent swaps) between two strings. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(
        d[(i - 1) * cols + j] + 1,
        d[i * cols + j - 1] + 1,
        d[(i - 1) * cols + j - 1] + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[(i - 2) * cols + j - 2] + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1];
}

/**
 * The valid name closest to `value`: the one equal to it but for letter case, else the single
 * nearest within two edits (and less than half its length); undefined when none is close.
 */
export function closestName(value: string, valid: readonly string[]): string | undefined {
  const lower = value.toLowerCase();
  const sameCase = valid.find((v) => v.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  let best: string | undefined;
  let bestDistance = Infinity;
  let tie = false;
  for (const v of valid) {
    const d = editDistance(lower, v.toLowerCase());
    if (d < bestDistance) {
      best = v;
      bestDistance = d;
      tie = false;
    } else if (d === bestDistance) tie = true;
  }
  return best !== undefined && !tie && bestDistance <= 2 && bestDistance * 2 < value.length
    ? best
    : undefined;
}

/** How an unexpected value reads in a message: strings quoted, other values with their type. */
function describeName(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return `${String(value)} (a ${typeof value})`;
}

/**
 * Checks a name given as a string option (a method, a loss, an activation…) against the valid
 * ones. Names are exact, letter case included; an unknown one is an `UnknownName` error that
 * names it, suggests the closest valid name and lists them all:
 * `unknown method 'foce'; did you mean 'FOCE'? valid: FO, FOCE, FOCEI, Laplace`.
 * TypeScript types do not protect JavaScript callers or names read from JSON or a command line.
 */
export function requireName<T extends string>(
  value: unknown,
  valid: readonly T[],
  what: string,
): T {
  if (typeof value === 'string' && (valid as readonly string[]).includes(value)) return value as T;
  const near = typeof value === 'string' ? closestName(value, valid) : undefined;
  throw new ScichainError(
    'UnknownName',
    `unknown ${what} ${describeName(value)}; ${near === undefined ? '' : `did you mean '${near}'? `}valid: ${valid.join(', ')}`,
  );
}
