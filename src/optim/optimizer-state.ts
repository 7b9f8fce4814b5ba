/**
 * Checking an optimizer state read from a file or handed to `loadState`: a damaged checkpoint
 * must fail with the field named (`optimizer.learningRate must be a finite number > 0, got
 * -1`), never load a negative step count or a non-finite moment into the optimizer.
 */
import {
  arrayField,
  child,
  describeValue,
  fieldError,
  finiteAt,
  finiteField,
  integerField,
  objectField,
  own,
  requireObject,
  stringField,
  type FieldPlace,
} from '../parameters/json-fields.ts';
import type { OptimizerState } from './optimizer.ts';

/** Where an optimizer state handed straight to `loadState` is reported from. */
export const OPTIMIZER_STATE: FieldPlace = { source: 'optimizer state', path: '' };

/**
 * Validates `value` as the state of optimizer `name` with the buffers `bufferNames` (each an
 * array of finite numbers, all of one length), returning the buffers as Float64Arrays.
 */
export function readOptimizerState(
  value: unknown,
  place: FieldPlace,
  name: string,
  bufferNames: readonly string[],
): { step: number; learningRate: number; buffers: Record<string, Float64Array<ArrayBuffer>> } {
  const state = requireObject(value, place);
  const optimizer = stringField(state, 'optimizer', place);
  if (optimizer !== name) {
    fieldError(
      child(place, 'optimizer'),
      `is "${optimizer}": cannot load a '${optimizer}' state into ${name}`,
    );
  }
  const step = integerField(state, 'step', place, 0);
  const learningRate = finiteField(state, 'learningRate', place, true);
  const buffersPlace = child(place, 'buffers');
  const raw = objectField(state, 'buffers', place);
  const buffers: Record<string, Float64Array<ArrayBuffer>> = Object.create(null) as Record<
    string,
    Float64Array<ArrayBuffer>
  >;
  let length = -1;
  for (const key of bufferNames) {
    const values = arrayField(raw, key, buffersPlace);
    if (length >= 0 && values.length !== length) {
      fieldError(
        child(buffersPlace, key),
        `has ${values.length} entries but ${bufferNames[0]} has ${length}`,
        'ShapeMismatch',
      );
    }
    length = values.length;
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++)
      out[i] = finiteAt(values[i], child(child(buffersPlace, key), i));
    buffers[key] = out;
  }
  for (const key of Object.keys(raw)) {
    if (!bufferNames.includes(key))
      fieldError(
        child(buffersPlace, key),
        `is not a buffer of ${name} (${describeValue(own(raw, key))})`,
      );
  }
  return { step, learningRate, buffers };
}

/** Re-exported type for callers that only check. */
export type { OptimizerState };
