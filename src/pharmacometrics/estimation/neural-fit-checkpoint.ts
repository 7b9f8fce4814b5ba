/**
 * Checkpoints of a neural population fit ({@link fitNeuralPopulationAsync}): the round and stage
 * under way, the x and η that stage started from, the joint step's L-BFGS progress, and the
 * records and population-step inputs of the rounds done. A population step in progress keeps its
 * own checkpoint beside this file (`<path>.round-<k>.json`); the stage's inputs are here, so a
 * step resumed from that file or rerun from its start ends with the same bits. Every field is
 * checked on reading; an error names the file and the field's JSON path.
 */
import { readJsonFile } from '../../io/read-text-file.ts';
import { readLbfgsState, type LbfgsState } from '../../optim/lbfgs-state.ts';
import { encodeExact, type ExactNumber } from '../../parameters/exact-numbers.ts';
import {
  arrayField,
  child,
  describeValue,
  exactAt,
  fieldError,
  finiteField,
  integerField,
  own,
  requireObject,
  type FieldPlace,
} from '../../parameters/json-fields.ts';
import { exactArray } from './fit-checkpoint.ts';
import type { NlmeMethod } from './nlme-objective.ts';

/** One round done: its record and the population step's inputs (to refit the best round). */
export interface NeuralRoundDone {
  readonly joint: number;
  readonly jointIterations: number;
  readonly objective: number;
  readonly seconds: number;
  /** x and η (subjects × q) the round's population step started from. */
  readonly x: Float64Array;
  readonly etas: Float64Array;
}

/** The state of a neural fit between slices (decoded). */
export interface NeuralFitState {
  /** Round under way, 1-based (rounds + 1 when all are done). */
  round: number;
  stage: 'joint' | 'population';
  /** x and η (subjects × q) the stage started from. */
  x: Float64Array;
  etas: Float64Array;
  /**
   * The joint step's progress (null: not started; `lbfgs` null before its first iteration), and
   * in the population stage its outcome (value, iterations) for the round's record.
   */
  joint: { z: Float64Array; lbfgs: LbfgsState | null; iterations: number; value: number } | null;
  readonly done: NeuralRoundDone[];
}

/** The checkpoint (JSON). */
export interface NeuralFitCheckpoint {
  readonly format: 'scichain.neural-population-fit';
  readonly version: 1;
  readonly method: NlmeMethod;
  readonly rounds: number;
  readonly subjects: number;
  /** A fingerprint of the data (see `dataFingerprint`). */
  readonly data: string;
  readonly round: number;
  readonly stage: 'joint' | 'population';
  readonly x: readonly ExactNumber[];
  readonly etas: readonly ExactNumber[];
  readonly joint: {
    readonly z: readonly ExactNumber[];
    readonly lbfgs: LbfgsState | null;
    readonly iterations: number;
    readonly value: ExactNumber;
  } | null;
  readonly done: readonly {
    readonly joint: number;
    readonly jointIterations: number;
    readonly objective: number;
    readonly seconds: number;
    readonly x: readonly ExactNumber[];
    readonly etas: readonly ExactNumber[];
  }[];
}

/** What a checkpoint must agree with. */
export interface NeuralFitShape {
  readonly method: NlmeMethod;
  readonly rounds: number;
  readonly subjects: number;
  readonly q: number;
  /** Length of x and of the joint step's z. */
  readonly size: number;
  readonly jointSize: number;
  readonly jointIterations: number;
  readonly data: string;
}

/** The checkpoint of `state`. */
export function neuralFitCheckpoint(
  shape: NeuralFitShape,
  state: NeuralFitState,
): NeuralFitCheckpoint {
  const exact = (a: ArrayLike<number>, what: string): ExactNumber[] =>
    encodeExact(a, (i) => `${what}[${i}]`);
  const j = state.joint;
  return {
    format: 'scichain.neural-population-fit',
    version: 1,
    method: shape.method,
    rounds: shape.rounds,
    subjects: shape.subjects,
    data: shape.data,
    round: state.round,
    stage: state.stage,
    x: exact(state.x, 'x'),
    etas: exact(state.etas, 'etas'),
    joint:
      j === null
        ? null
        : {
            z: exact(j.z, 'joint.z'),
            lbfgs: j.lbfgs,
            iterations: j.iterations,
            value: exact([j.value], 'joint.value')[0],
          },
    done: state.done.map((d) => ({
      joint: d.joint,
      jointIterations: d.jointIterations,
      objective: d.objective,
      seconds: d.seconds,
      x: exact(d.x, 'done.x'),
      etas: exact(d.etas, 'done.etas'),
    })),
  };
}

const sources = new WeakMap<object, string>();

/**
 * Reads a checkpoint file of {@link scichain/pharmacometrics!fitNeuralPopulationAsync} (checked
 * fully when resumed).
 */
export function loadNeuralFitCheckpoint(path: string): NeuralFitCheckpoint {
  const doc = readJsonFile(path, 'checkpoint file');
  const obj = requireObject(doc, { source: `checkpoint file ${path}`, path: '' });
  sources.set(obj, `checkpoint file ${path}`);
  return obj as unknown as NeuralFitCheckpoint;
}

/** Checks every field of a checkpoint against the fit resuming it, and decodes it. */
export function readNeuralFitCheckpoint(
  value: NeuralFitCheckpoint,
  shape: NeuralFitShape,
): NeuralFitState {
  const place: FieldPlace = { source: sources.get(value) ?? 'checkpoint', path: '' };
  const c = requireObject(value, place);
  const expect = (key: string, wanted: unknown, why: string): void => {
    if (own(c, key) !== wanted)
      fieldError(child(place, key), `is ${describeValue(own(c, key))} ${why}`, 'InvalidArgument');
  };
  expect('format', 'scichain.neural-population-fit', 'instead of "scichain.neural-population-fit"');
  expect('version', 1, '; this scichain reads version 1');
  expect('method', shape.method, `but this fit is ${shape.method}`);
  expect('rounds', shape.rounds, `but this fit has ${shape.rounds} rounds`);
  expect('subjects', shape.subjects, `but this fit has ${shape.subjects} subjects`);
  expect(
    'data',
    shape.data,
    `but this fit's data give ${shape.data} (other subjects, times or observations)`,
  );
  const round = integerField(c, 'round', place, 1, shape.rounds + 1);
  const stage = own(c, 'stage');
  if (stage !== 'joint' && stage !== 'population')
    fieldError(
      child(place, 'stage'),
      `must be "joint" or "population", got ${describeValue(stage)}`,
    );
  const etaCount = shape.subjects * shape.q;
  const etaOf = `${shape.subjects} subjects × ${shape.q} η`;
  const x = exactArray(c, 'x', place, shape.size, 'the model’s x');
  const etas = exactArray(c, 'etas', place, etaCount, etaOf);
  let joint: NeuralFitState['joint'] = null;
  const j = own(c, 'joint');
  if (j !== null) {
    const p = child(place, 'joint');
    const o = requireObject(j, p);
    const z = exactArray(o, 'z', p, shape.jointSize, 'the joint step’s z');
    const lbfgs = own(o, 'lbfgs') as LbfgsState | null;
    const iterations = integerField(o, 'iterations', p, 0, shape.jointIterations);
    if (lbfgs !== null || iterations > 0)
      readLbfgsState(lbfgs, 10, shape.jointSize, child(p, 'lbfgs'));
    const v = exactAt(own(o, 'value'), child(p, 'value'));
    joint = { z, lbfgs, iterations, value: v };
  }
  if (stage === 'population' && joint === null)
    fieldError(
      child(place, 'joint'),
      'is null, but the population stage needs the joint step’s outcome',
    );
  const doneList = arrayField(c, 'done', place);
  if (doneList.length !== round - 1)
    fieldError(
      child(place, 'done'),
      `has ${doneList.length} rounds but round ${round} is under way`,
      'ShapeMismatch',
    );
  const done = doneList.map((d, i) => {
    const p = child(child(place, 'done'), i);
    const o = requireObject(d, p);
    return {
      joint: finiteField(o, 'joint', p),
      jointIterations: integerField(o, 'jointIterations', p, 0),
      objective: finiteField(o, 'objective', p),
      seconds: finiteField(o, 'seconds', p),
      x: exactArray(o, 'x', p, shape.size, 'the model’s x'),
      etas: exactArray(o, 'etas', p, etaCount, etaOf),
    };
  });
  return { round, stage, x, etas, joint, done };
}
