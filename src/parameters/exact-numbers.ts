/**
 * Exact JSON encoding of doubles. JSON numbers already round-trip every finite double (the
 * shortest representation is printed); only negative zero needs a marker, and non-finite
 * values are refused rather than silently turned into null.
 */
import { ScichainError } from '../core/errors.ts';

/** A JSON-safe exact number. */
export type ExactNumber = number | '-0';

/** Encodes values exactly; `what(i)` names an entry in the error for a non-finite value. */
export function encodeExact(values: ArrayLike<number>, what: (i: number) => string): ExactNumber[] {
  const out: ExactNumber[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v))
      throw new ScichainError('NonFinite', `cannot save ${what(i)}: value is ${v}`);
    out[i] = Object.is(v, -0) ? '-0' : v;
  }
  return out;
}

/** Decodes one entry written by {@link encodeExact}. */
export function decodeExact(v: unknown, what: string): number {
  const x = v === '-0' ? -0 : v;
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new ScichainError('NonFinite', `${what} is not a finite number: ${JSON.stringify(v)}`);
  }
  return x;
}
