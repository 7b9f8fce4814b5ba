/**
 * The curvature memory of L-BFGS as plain data (checkpoints, resumed fits) and its check when it
 * is read back: a damaged file fails with the field named.
 */
import type { ExactNumber } from '../parameters/exact-numbers.ts';
import {
  arrayField,
  child,
  describeValue,
  fieldError,
  finiteAt,
  integerField,
  readExactArray,
  requireObject,
  type FieldPlace,
} from '../parameters/json-fields.ts';

/**
 * The curvature memory of L-BFGS after a call (`result.lbfgsState`): passed back as
 * `options.lbfgsState`, the next call continues exactly as one longer call would (θ must be the
 * θ the first call ended with). JSON-serialisable, for checkpoints.
 */
export interface LbfgsState {
  readonly memory: number;
  readonly stored: number;
  readonly newest: number;
  readonly s: readonly ExactNumber[][];
  readonly y: readonly ExactNumber[][];
  readonly rho: readonly number[];
}

/** Checks an {@link LbfgsState} against the memory and θ's length, naming the bad field. */
export function readLbfgsState(
  value: unknown,
  m: number,
  n: number,
  place: FieldPlace = { source: 'L-BFGS state', path: '' },
): { stored: number; newest: number; s: Float64Array[]; y: Float64Array[]; rho: Float64Array } {
  const st = requireObject(value, place);
  integerField(st, 'memory', place, m, m);
  const stored = integerField(st, 'stored', place, 0, m);
  const newest = integerField(st, 'newest', place, -1, m - 1);
  const pairs = (key: string): Float64Array[] => {
    const list = arrayField(st, key, place);
    if (list.length !== m)
      fieldError(child(place, key), `has ${list.length} vectors but the memory is ${m}`);
    return list.map((v, j) => {
      const p = child(child(place, key), j);
      if (!Array.isArray(v) || v.length !== n)
        fieldError(p, `must be an array of ${n} numbers, got ${describeValue(v)}`);
      const out = new Float64Array(n);
      readExactArray(v, p, out);
      return out;
    });
  };
  const rhoList = arrayField(st, 'rho', place);
  if (rhoList.length !== m)
    fieldError(child(place, 'rho'), `has ${rhoList.length} entries but the memory is ${m}`);
  const rho = Float64Array.from(rhoList, (v, j) => finiteAt(v, child(child(place, 'rho'), j)));
  return { stored, newest, s: pairs('s'), y: pairs('y'), rho };
}
