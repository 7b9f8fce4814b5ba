/**
 * Training checkpoints: everything a run needs to continue bit for bit — θ, the optimizer's
 * moments, step count and learning rate, the epochs done, the run's seed and the shuffling
 * stream, the early-stopping state (best value, epoch, patience counter and best θ) and the
 * history (records and thinning stride) — as JSON. Files are written atomically and every
 * field is checked on reading: an error names the file and the field's JSON path.
 *
 * Versions: version 1 is this format. Checkpoints written before the field existed carry no
 * `version` and are read as version 1 (they have no history, so a resumed run's history
 * starts at the resume). Any other version is refused, naming it.
 */
import { readJsonFile } from '../io/read-text-file.ts';
import { writeFileAtomic, type AtomicWriteFs } from '../io/write-file-atomic.ts';
import type { DType } from '../core/dtype.ts';
import type { OptimizerState } from '../optim/optimizer.ts';
import type { ExactNumber } from '../parameters/exact-numbers.ts';
import {
  arrayField,
  child,
  describeValue,
  exactAt,
  fieldError,
  finiteAt,
  integerAt,
  integerField,
  objectField,
  own,
  requireObject,
  stringField,
  type FieldPlace,
} from '../parameters/json-fields.ts';
import type { RngState } from '../core/rng.ts';
import type { EarlyStoppingState } from '../optim/early-stopping.ts';
import type { EpochRecord } from './epoch-history.ts';

/** The checkpoint format's current version. */
export const CHECKPOINT_VERSION = 1;

/** The kept history of a run (see `EpochHistory`). */
export interface HistoryState {
  /** Thinning stride (a power of two). */
  readonly stride: number;
  /** Kept records; a non-finite validation loss is written as null. */
  readonly records: readonly EpochRecord[];
}

/** Everything needed to continue training exactly where it stopped. */
export interface TrainingCheckpoint {
  readonly format: 'scichain.training';
  /** Format version (absent in checkpoints written before it existed: read as 1). */
  readonly version?: 1;
  /** Epochs completed. */
  readonly epoch: number;
  readonly dtype: 'float64' | 'float32';
  readonly theta: readonly ExactNumber[];
  readonly optimizer: OptimizerState;
  /** The run's seed (dropout masks are drawn per epoch from it). */
  readonly seed: number;
  /** State of the shuffling stream. */
  readonly rng: RngState;
  /** Early-stopping state, when early stopping is on. */
  readonly earlyStopping: EarlyStoppingState | null;
  /** The kept history (absent in checkpoints written before version 1 had it). */
  readonly history?: HistoryState;
}

/** A checkpoint whose fields have been checked, with θ and the early-stopping θ decoded. */
export interface CheckedCheckpoint {
  readonly checkpoint: TrainingCheckpoint;
  readonly theta: Float64Array;
  readonly bestTheta: Float64Array | null;
  readonly records: EpochRecord[] | null;
  readonly place: FieldPlace;
}

const MT_WORDS = 625;

/**
 * Checks every field of a checkpoint (from a file, or from `info.checkpoint()` round-tripped
 * through JSON) against the θ it is to be loaded into. `source` names it in errors (e.g.
 * `checkpoint file run.ckpt.json`). Optimizer buffers are checked by the optimizer's own
 * `loadState`, given the place `optimizer`.
 */
export function checkCheckpoint(
  value: unknown,
  expected: { length: number; dtype: DType },
  source = 'checkpoint',
): CheckedCheckpoint {
  const root: FieldPlace = { source, path: '' };
  const doc = requireObject(value, root);
  if (own(doc, 'format') !== 'scichain.training')
    fieldError(
      child(root, 'format'),
      `must be "scichain.training" (a scichain training checkpoint), got ${describeValue(own(doc, 'format'))}`,
    );
  const version = own(doc, 'version');
  if (version !== undefined && version !== CHECKPOINT_VERSION) {
    fieldError(
      child(root, 'version'),
      `is ${describeValue(version)}; this scichain reads checkpoint version ${CHECKPOINT_VERSION} (and unversioned ones written before it)`,
    );
  }
  const epoch = integerField(doc, 'epoch', root, 0);
  const dtype = stringField(doc, 'dtype', root, ['float64', 'float32']);
  const theta = exactArray(doc, 'theta', root, expected.length, dtype === 'float32');
  if (dtype !== expected.dtype) {
    fieldError(
      child(root, 'dtype'),
      `is "${dtype}" but θ is ${expected.dtype}[${expected.length}]`,
      'ShapeMismatch',
    );
  }
  const optimizer = objectField(doc, 'optimizer', root);
  // Buffers are either empty (no step taken yet) or one entry per θ entry.
  const buffers = objectField(optimizer, 'buffers', child(root, 'optimizer'));
  for (const key of Object.keys(buffers)) {
    const b = own(buffers, key);
    if (Array.isArray(b) && b.length !== 0 && b.length !== expected.length) {
      fieldError(
        child(child(child(root, 'optimizer'), 'buffers'), key),
        `has ${b.length} entries but θ has ${expected.length}`,
        'ShapeMismatch',
      );
    }
  }
  integerAt(own(doc, 'seed'), child(root, 'seed'), Number.MIN_SAFE_INTEGER);
  checkRng(own(doc, 'rng'), child(root, 'rng'));
  let bestTheta: Float64Array | null = null;
  const es = own(doc, 'earlyStopping');
  if (es !== null) {
    const place = child(root, 'earlyStopping');
    const s = requireObject(es, place);
    const bestValue = own(s, 'bestValue');
    if (bestValue !== null) finiteAt(bestValue, child(place, 'bestValue'));
    integerField(s, 'bestStep', place, -1);
    integerField(s, 'sinceBest', place, 0);
    if (own(s, 'best') !== null) {
      bestTheta = exactArray(s, 'best', place, expected.length, dtype === 'float32');
    }
  }
  let records: EpochRecord[] | null = null;
  const h = own(doc, 'history');
  if (h !== undefined) {
    const place = child(root, 'history');
    const history = requireObject(h, place);
    const stride = integerField(history, 'stride', place, 1, 2 ** 30);
    if ((stride & (stride - 1)) !== 0)
      fieldError(child(place, 'stride'), `must be a power of two, got ${stride}`);
    const list = arrayField(history, 'records', place);
    const recordsPlace = child(place, 'records');
    const done = epoch;
    records = list.map((r, i) => {
      const p = child(recordsPlace, i);
      const o = requireObject(r, p);
      const epoch = integerField(o, 'epoch', p, 1);
      if (epoch > done)
        fieldError(child(p, 'epoch'), `is ${epoch}, after the checkpoint's epoch ${done}`);
      if (i > 0 && !(epoch > (list[i - 1] as { epoch: number }).epoch))
        fieldError(child(p, 'epoch'), `is ${epoch}: records must be in increasing epoch order`);
      const loss = finiteAt(own(o, 'loss'), child(p, 'loss'));
      const v = own(o, 'validationLoss');
      if (v === undefined) return { epoch, loss };
      // JSON turns a non-finite validation loss into null.
      const validationLoss = v === null ? NaN : finiteAt(v, child(p, 'validationLoss'));
      return { epoch, loss, validationLoss };
    });
  }
  return {
    checkpoint: value as TrainingCheckpoint,
    theta,
    bestTheta,
    records,
    place: root,
  };
}

/** An array of `length` exact numbers (in float32 range when `float32`). */
function exactArray(
  obj: object,
  key: string,
  place: FieldPlace,
  length: number,
  float32: boolean,
): Float64Array {
  const values = arrayField(obj, key, place);
  const p = child(place, key);
  if (values.length !== length)
    fieldError(p, `has ${values.length} entries but θ has ${length}`, 'ShapeMismatch');
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const x = exactAt(values[i], child(p, i));
    if (float32 && !Number.isFinite(Math.fround(x)))
      fieldError(child(p, i), `is ${x}, outside the float32 range (±3.4028235e38)`, 'NonFinite');
    out[i] = x;
  }
  return out;
}

/** An MT19937 state as `Rng.state()` writes it: position 0…623 and 624 signed 32-bit words. */
function checkRng(value: unknown, place: FieldPlace): void {
  const rng = requireObject(value, place);
  stringField(rng, 'algorithm', place, ['mt19937']);
  const words = arrayField(rng, 'words', place);
  if (words.length !== MT_WORDS)
    fieldError(
      child(place, 'words'),
      `has ${words.length} entries but MT19937 needs ${MT_WORDS}`,
      'ShapeMismatch',
    );
  integerAt(words[0], child(child(place, 'words'), 0), 0, 623);
  for (let i = 1; i < MT_WORDS; i++)
    integerAt(words[i], child(child(place, 'words'), i), -2147483648, 2147483647);
  const spare = own(rng, 'spareNormal');
  if (spare !== null) finiteAt(spare, child(place, 'spareNormal'));
}

/** Writes a checkpoint to `path` atomically (temporary file, fsync, rename); returns the absolute path. */
export function saveCheckpoint(
  path: string,
  checkpoint: TrainingCheckpoint,
  options: { fs?: AtomicWriteFs } = {},
): string {
  return writeFileAtomic(path, () => JSON.stringify(checkpoint), {
    what: 'checkpoint file',
    ...options,
  });
}

/**
 * Reads a checkpoint file written by {@link saveCheckpoint}. Only its JSON syntax and format
 * are checked here; `trainSupervised({ resume })` checks every field against θ and names the
 * file in its errors (the `source` of the returned checkpoint).
 */
export function loadCheckpoint(path: string): TrainingCheckpoint {
  const doc = readJsonFile(path, 'checkpoint file');
  const root: FieldPlace = { source: `checkpoint file ${path}`, path: '' };
  const obj = requireObject(doc, root);
  if (own(obj, 'format') !== 'scichain.training')
    fieldError(
      child(root, 'format'),
      `must be "scichain.training", got ${describeValue(own(obj, 'format'))}`,
    );
  sources.set(obj, root.source);
  return obj as unknown as TrainingCheckpoint;
}

/** Where each loaded checkpoint came from, so resume errors can name the file. */
const sources = new WeakMap<object, string>();

/** The source name of a checkpoint (its file when loaded by {@link loadCheckpoint}). */
export function checkpointSource(c: object): string {
  return sources.get(c) ?? 'checkpoint';
}
