/**
 * Checkpoints of a population fit's outer L-BFGS ({@link fitPopulationAsync}): x, the L-BFGS
 * curvature memory, the value and gradient at x, every subject's η̂ warm start and the counters
 * the stop reason is made of — all a resumed fit needs to take the same iterates, bit for bit,
 * as one that was never interrupted. Every field is checked on reading; an error names the
 * file and the field's JSON path.
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
  integerField,
  own,
  readExactArray,
  requireObject,
  stringField,
  type FieldPlace,
} from '../../parameters/json-fields.ts';
import type { NlmeMethod } from './nlme-objective.ts';
import type { CheckpointedObjective, ObjectiveFailure, OuterRun } from './outer-run.ts';

/** The checkpoint of a population fit (JSON). */
export interface PopulationFitCheckpoint {
  readonly format: 'scichain.population-fit';
  readonly version: 1;
  readonly method: NlmeMethod;
  /** Number of subjects. */
  readonly subjects: number;
  /** The entries of x the fit estimates (the others are fixed). */
  readonly free: readonly number[];
  /**
   * A fingerprint of the data (subject IDs, observation times and values, bit for bit: FNV-1a,
   * 32 bits, hex), so that a checkpoint is not resumed on other data.
   */
  readonly data: string;
  /** Outer iterations done. */
  readonly iterations: number;
  readonly x: readonly ExactNumber[];
  /** The objective and its difference gradient at x. */
  readonly value: ExactNumber;
  readonly gradient: readonly ExactNumber[];
  readonly lbfgs: LbfgsState;
  /** The objective's η̂ warm starts (subjects × q) and those of the last accepted point. */
  readonly etas: readonly ExactNumber[];
  readonly acceptedEtas: readonly ExactNumber[];
  /** Each subject's η̂-step curvature warm start (q × q; null: none yet). */
  readonly curvatures: readonly (readonly ExactNumber[] | null)[];
  readonly evaluations: number;
  readonly nonFiniteEvaluations: number;
  readonly iterationEnd: number;
  readonly lastFailure: {
    readonly evaluation: number;
    /** The failing x (null for a non-finite entry). */
    readonly x: readonly (ExactNumber | null)[];
    readonly subject: number;
    readonly message: string;
  } | null;
}

/** A checked checkpoint, decoded. */
export interface RestoredOuterRun {
  readonly iterations: number;
  readonly x: Float64Array;
  readonly value: number;
  readonly gradient: Float64Array;
  readonly lbfgs: LbfgsState;
  readonly etas: Float64Array;
  readonly acceptedEtas: Float64Array;
  readonly curvatures: (Float64Array | null)[];
  readonly evaluations: number;
  readonly nonFiniteEvaluations: number;
  readonly iterationEnd: number;
  readonly lastFailure: ObjectiveFailure | null;
}

/** The checkpoint of an outer run stopped between slices. */
export function populationFitCheckpoint(
  method: NlmeMethod,
  run: OuterRun,
  objective: CheckpointedObjective,
  free: Int32Array,
): PopulationFitCheckpoint {
  const etas = new Float64Array(run.acceptedEtas.length);
  objective.copyEtas(etas);
  const failure = objective.lastFailure;
  return {
    format: 'scichain.population-fit',
    version: 1,
    method,
    subjects: objective.subjects.length,
    free: Array.from(free),
    data: dataFingerprint(objective.subjects),
    iterations: run.iterations,
    x: encodeExact(run.x, (i) => `x[${i}]`),
    value: encodeExact([run.lastValue], () => 'the objective value')[0],
    gradient: encodeExact(run.lastGradient, (i) => `gradient[${i}]`),
    lbfgs: run.lbfgs!,
    etas: encodeExact(etas, (i) => `η̂[${i}]`),
    acceptedEtas: encodeExact(run.acceptedEtas, (i) => `accepted η̂[${i}]`),
    curvatures: objective
      .curvatures()
      .map((b, i) => (b === null ? null : encodeExact(b, (k) => `curvatures[${i}][${k}]`))),
    evaluations: objective.evaluations,
    nonFiniteEvaluations: objective.nonFiniteEvaluations,
    iterationEnd: run.iterationEnd,
    lastFailure:
      failure === null
        ? null
        : {
            evaluation: failure.evaluation,
            // A failing trial point may hold non-finite entries: null (JSON's only choice) then.
            x: Array.from(failure.x, (v) => (Object.is(v, -0) ? '-0' : v)),
            subject: failure.subject,
            message: failure.message,
          },
  };
}

const sources = new WeakMap<object, string>();

/**
 * Reads a checkpoint file of {@link scichain/pharmacometrics!fitPopulationAsync} (checked fully
 * when resumed).
 */
export function loadPopulationFitCheckpoint(path: string): PopulationFitCheckpoint {
  const doc = readJsonFile(path, 'checkpoint file');
  const obj = requireObject(doc, { source: `checkpoint file ${path}`, path: '' });
  sources.set(obj, `checkpoint file ${path}`);
  return obj as unknown as PopulationFitCheckpoint;
}

/** What a checkpoint must agree with. */
export interface PopulationFitShape {
  readonly method: NlmeMethod;
  readonly subjects: number;
  /** Length of x. */
  readonly size: number;
  /** Random effects per subject. */
  readonly q: number;
  readonly maxIterations: number;
  readonly free: Int32Array;
  readonly data: string;
}

/**
 * A fingerprint of a fit's data — subject IDs, observation times and values, bit for bit
 * (FNV-1a, 32 bits, hex) — so that a checkpoint is not resumed on other data.
 */
export function dataFingerprint(
  subjects: readonly { id: string; times: ArrayLike<number>; observations: ArrayLike<number> }[],
): string {
  let h = 0x811c9dc5;
  const byte = (b: number): void => {
    h = Math.imul(h ^ b, 0x01000193) >>> 0;
  };
  const bits = new DataView(new ArrayBuffer(8));
  const number = (v: number): void => {
    bits.setFloat64(0, v);
    for (let k = 0; k < 8; k++) byte(bits.getUint8(k));
  };
  for (const s of subjects) {
    for (let k = 0; k < s.id.length; k++) byte(s.id.charCodeAt(k) & 0xff);
    number(s.times.length);
    for (let j = 0; j < s.times.length; j++) number(s.times[j]);
    for (let j = 0; j < s.observations.length; j++) number(s.observations[j]);
  }
  return h.toString(16).padStart(8, '0');
}

/** An array field of exactly `length` exact numbers (`of` names what fixes the length). */
export function exactArray(
  c: Record<string, unknown>,
  key: string,
  place: FieldPlace,
  length: number,
  of: string,
): Float64Array {
  const values = arrayField(c, key, place);
  if (values.length !== length)
    fieldError(
      child(place, key),
      `has ${values.length} entries but ${of} has ${length}`,
      'ShapeMismatch',
    );
  const out = new Float64Array(length);
  readExactArray(values, child(place, key), out);
  return out;
}

/** Checks every field of a checkpoint against the fit being resumed. */
export function readPopulationFitCheckpoint(
  value: PopulationFitCheckpoint,
  shape: PopulationFitShape,
): RestoredOuterRun {
  const place: FieldPlace = { source: sources.get(value) ?? 'checkpoint', path: '' };
  const c = requireObject(value, place);
  if (own(c, 'format') !== 'scichain.population-fit')
    fieldError(
      child(place, 'format'),
      `must be "scichain.population-fit", got ${describeValue(own(c, 'format'))}`,
    );
  if (own(c, 'version') !== 1)
    fieldError(
      child(place, 'version'),
      `is ${describeValue(own(c, 'version'))}; this scichain reads version 1`,
    );
  const method = stringField(c, 'method', place);
  if (method !== shape.method)
    fieldError(
      child(place, 'method'),
      `is ${JSON.stringify(method)} but this fit is ${shape.method}: a checkpoint resumes the method that wrote it`,
    );
  const subjects = own(c, 'subjects');
  if (subjects !== shape.subjects)
    fieldError(
      child(place, 'subjects'),
      `is ${describeValue(subjects)} but this fit has ${shape.subjects} subjects`,
      'ShapeMismatch',
    );
  const free = arrayField(c, 'free', place);
  if (free.length !== shape.free.length || free.some((v, i) => v !== shape.free[i]))
    fieldError(
      child(place, 'free'),
      `is [${free.map(describeValue).join(', ')}] but this fit estimates entries [${Array.from(shape.free).join(', ')}] of x: a checkpoint resumes the fit that wrote it (same fixed parameters)`,
    );
  const data = own(c, 'data');
  if (data !== shape.data)
    fieldError(
      child(place, 'data'),
      `is ${describeValue(data)} but this fit's data give ${shape.data}: a checkpoint resumes the fit that wrote it (same subjects, times and observations)`,
    );
  const iterations = integerField(c, 'iterations', place, 0, shape.maxIterations);
  const x = exactArray(c, 'x', place, shape.size, 'the model’s x');
  const v = exactAt(own(c, 'value'), child(place, 'value'));
  const gradient = exactArray(c, 'gradient', place, shape.size, 'the model’s x');
  const lbfgs = own(c, 'lbfgs');
  readLbfgsState(lbfgs, 10, shape.size, child(place, 'lbfgs'));
  const etaCount = shape.subjects * shape.q;
  const of = `${shape.subjects} subjects × ${shape.q} η`;
  const etas = exactArray(c, 'etas', place, etaCount, of);
  const acceptedEtas = exactArray(c, 'acceptedEtas', place, etaCount, of);
  const curvatureList = arrayField(c, 'curvatures', place);
  if (curvatureList.length !== shape.subjects)
    fieldError(
      child(place, 'curvatures'),
      `has ${curvatureList.length} entries but this fit has ${shape.subjects} subjects`,
      'ShapeMismatch',
    );
  const curvatures = curvatureList.map((b, i) => {
    const p = child(child(place, 'curvatures'), i);
    if (b === null) return null;
    if (!Array.isArray(b) || b.length !== shape.q * shape.q)
      fieldError(
        p,
        `must be null or an array of ${shape.q * shape.q} numbers, got ${describeValue(b)}`,
      );
    const out = new Float64Array(b.length);
    readExactArray(b, p, out);
    return out;
  });
  const evaluations = integerField(c, 'evaluations', place, 0, Number.MAX_SAFE_INTEGER);
  const nonFiniteEvaluations = integerField(c, 'nonFiniteEvaluations', place, 0, evaluations);
  const iterationEnd = integerField(c, 'iterationEnd', place, 0, evaluations);
  const f = own(c, 'lastFailure');
  let lastFailure: ObjectiveFailure | null = null;
  if (f !== null) {
    const p = child(place, 'lastFailure');
    const o = requireObject(f, p);
    const list = arrayField(o, 'x', p);
    if (list.length !== shape.size)
      fieldError(
        child(p, 'x'),
        `has ${list.length} entries but x has ${shape.size}`,
        'ShapeMismatch',
      );
    const fx = Float64Array.from(list, (e, i) => {
      if (e === null) return NaN;
      if (e === '-0') return -0;
      if (typeof e !== 'number')
        fieldError(child(child(p, 'x'), i), `must be a number or null, got ${describeValue(e)}`);
      return e;
    });
    lastFailure = {
      evaluation: integerField(o, 'evaluation', p, 1, evaluations),
      x: fx,
      subject: integerField(o, 'subject', p, -1, shape.subjects - 1),
      message: stringField(o, 'message', p),
    };
  }
  return {
    iterations,
    x,
    value: v,
    gradient,
    lbfgs: lbfgs as LbfgsState,
    etas,
    acceptedEtas,
    curvatures,
    evaluations,
    nonFiniteEvaluations,
    iterationEnd,
    lastFailure,
  };
}
