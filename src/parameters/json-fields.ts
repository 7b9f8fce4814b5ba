/**
 * Checks of fields read from JSON files (parameter files, training checkpoints). Every failure
 * is a `ScichainError` naming the file and the field's JSON path (`optimizer.learningRate`,
 * `blocks[2].values[7]`), so a hand-edited or damaged file says exactly what is wrong.
 * Objects are read through own properties only: a `__proto__` or `constructor` key in a file
 * is just an unknown key, never a prototype lookup.
 */
import { ScichainError, describeValue } from '../core/errors.ts';

/** Where a value comes from: the file (or "checkpoint") and the JSON path inside it. */
export interface FieldPlace {
  readonly source: string;
  readonly path: string;
}

/** A short, bounded rendering of a bad value for messages (one function, in core). */
export { describeValue };

/** Throws the error for a field. */
export function fieldError(
  place: FieldPlace,
  problem: string,
  code: 'InvalidArgument' | 'ShapeMismatch' | 'NonFinite' = 'InvalidArgument',
): never {
  throw new ScichainError(code, `${place.source}: ${place.path || 'the document'} ${problem}`);
}

/** The place of a child field. */
export function child(place: FieldPlace, key: string | number): FieldPlace {
  const path =
    typeof key === 'number'
      ? `${place.path}[${key}]`
      : place.path === ''
        ? key
        : `${place.path}.${key}`;
  return { source: place.source, path };
}

/** The value's own property `key` (never one inherited from a prototype). */
export function own(obj: object, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key)
    ? (obj as Record<string, unknown>)[key]
    : undefined;
}

/** A plain JSON object (not null, not an array). */
export function requireObject(v: unknown, place: FieldPlace): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    fieldError(place, `must be an object, got ${describeValue(v)}`);
  return v as Record<string, unknown>;
}

/** An object's field, checked to be an object. */
export function objectField(obj: object, key: string, place: FieldPlace): Record<string, unknown> {
  return requireObject(own(obj, key), child(place, key));
}

/** An array field. */
export function arrayField(obj: object, key: string, place: FieldPlace): unknown[] {
  const v = own(obj, key);
  if (!Array.isArray(v)) fieldError(child(place, key), `must be an array, got ${describeValue(v)}`);
  return v;
}

/** A string field, optionally one of `allowed`. */
export function stringField(
  obj: object,
  key: string,
  place: FieldPlace,
  allowed?: readonly string[],
): string {
  const v = own(obj, key);
  const p = child(place, key);
  if (typeof v !== 'string') fieldError(p, `must be a string, got ${describeValue(v)}`);
  if (allowed && !allowed.includes(v))
    fieldError(p, `must be ${allowed.map((a) => `"${a}"`).join(' or ')}, got ${describeValue(v)}`);
  return v;
}

/** A boolean field. */
export function booleanField(obj: object, key: string, place: FieldPlace): boolean {
  const v = own(obj, key);
  if (typeof v !== 'boolean')
    fieldError(child(place, key), `must be true or false, got ${describeValue(v)}`);
  return v;
}

/** A JSON number that is an integer in [min, max]. */
export function integerAt(
  v: unknown,
  p: FieldPlace,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    fieldError(
      p,
      `must be an integer${max === Number.MAX_SAFE_INTEGER ? ` ≥ ${min}` : ` in [${min}, ${max}]`}, got ${describeValue(v)}`,
    );
  }
  return v;
}

/** An integer field in [min, max]. */
export function integerField(
  obj: object,
  key: string,
  place: FieldPlace,
  min: number,
  max?: number,
): number {
  return integerAt(own(obj, key), child(place, key), min, max);
}

/** A finite number; `positive` also requires > 0. */
export function finiteAt(v: unknown, p: FieldPlace, positive = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (positive && !(v > 0)))
    fieldError(p, `must be a finite number${positive ? ' > 0' : ''}, got ${describeValue(v)}`);
  return v;
}

/** A finite-number field. */
export function finiteField(obj: object, key: string, place: FieldPlace, positive = false): number {
  return finiteAt(own(obj, key), child(place, key), positive);
}

/** A finite number or the marker "-0" (see exact-numbers.ts), as a number. */
export function exactAt(v: unknown, p: FieldPlace): number {
  if (v === '-0') return -0;
  if (typeof v !== 'number' || !Number.isFinite(v))
    fieldError(p, `must be a finite number (or "-0"), got ${describeValue(v)}`, 'NonFinite');
  return v;
}

/**
 * Reads an array of exact numbers into `out` (from `offset`). A value that a float32 array
 * would turn into ±Infinity is refused, naming its place: storing it would put a non-finite
 * value into θ.
 */
export function readExactArray(
  values: unknown[],
  p: FieldPlace,
  out: Float32Array | Float64Array,
  offset = 0,
): void {
  const float32 = out instanceof Float32Array;
  for (let i = 0; i < values.length; i++) {
    const x = exactAt(values[i], child(p, i));
    if (float32 && !Number.isFinite(Math.fround(x)))
      fieldError(child(p, i), `is ${x}, outside the float32 range (±3.4028235e38)`, 'NonFinite');
    out[offset + i] = x;
  }
}
