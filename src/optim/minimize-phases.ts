/**
 * A training made of several `minimize` phases (Adam, then L-BFGS on growing windows…) that
 * can be interrupted and resumed bit-exactly. {@link minimizePhasesAsync} runs each phase in
 * slices of about 20 ms — a slice ends through the callback, and the next continues from θ and
 * the optimizer's state (Adam's moments, L-BFGS's curvature memory), which takes exactly the
 * iterates of one long call — and between slices lets the event loop run, so SIGINT and
 * SIGTERM are seen: the current slice finishes, a checkpoint is written atomically, and the run
 * resolves as `'Interrupted'`. Checkpoints are also written every `everySeconds`.
 */
import { ScichainError } from '../core/errors.ts';
import { readJsonFile } from '../io/read-text-file.ts';
import type { FloatArray } from '../core/dtype.ts';
import { encodeExact, type ExactNumber } from '../parameters/exact-numbers.ts';
import {
  arrayField,
  child,
  describeValue,
  fieldError,
  finiteAt,
  integerField,
  own,
  readExactArray,
  requireObject,
  type FieldPlace,
} from '../parameters/json-fields.ts';
import {
  checkCheckpointOptions,
  CheckpointWriter,
  type CheckpointTarget,
} from '../io/checkpoint-file.ts';
import { nextTurn } from '../io/event-loop.ts';
import { SignalWatch } from '../io/signals.ts';
import { readLbfgsState, type LbfgsState } from './lbfgs-state.ts';
import { minimize } from './minimize.ts';
import type { MinimizeOptions, MinimizeResult } from './minimize-options.ts';
import type { ValueAndGradient } from '../core/objective.ts';
import type { FirstOrderOptimizer, OptimizerState } from './optimizer.ts';

/** One phase: an objective (built when the phase starts) and how to minimise it. */
export interface MinimizePhase<T extends FloatArray = FloatArray> {
  readonly label: string;
  readonly objective: () => ValueAndGradient<T>;
  /** `'lbfgs'`, or a factory of a fresh first-order optimizer (its state is checkpointed). */
  readonly method: 'lbfgs' | (() => FirstOrderOptimizer);
  /** Options of `minimize` (early stopping and callbacks are not supported in phases). */
  readonly options?: Omit<MinimizeOptions, 'method' | 'callback' | 'lbfgsState' | 'earlyStopping'>;
}

/** The checkpoint of a phased run (JSON). */
export interface PhasesCheckpoint {
  readonly format: 'scichain.phases';
  readonly version: 1;
  /** The phase under way (= number of phases when all are done). */
  readonly phase: number;
  /** Iterations done in that phase. */
  readonly iterations: number;
  readonly theta: readonly ExactNumber[];
  /** Objective histories of the finished phases and of the one under way. */
  readonly histories: readonly (readonly number[])[];
  readonly optimizer: OptimizerState | null;
  readonly lbfgs: LbfgsState | null;
}

/** Outcome of a phased run. */
export interface PhasesResult {
  /** Objective value after each iteration of each phase (index 0: its start). */
  readonly histories: number[][];
  /** The last `minimize` result of each phase run to its end here. */
  readonly results: (MinimizeResult | undefined)[];
  readonly reason: 'Done' | 'Interrupted';
  readonly signal?: 'SIGINT' | 'SIGTERM';
  readonly checkpointPath?: string;
}

/** Options of {@link minimizePhasesAsync}. */
export interface PhasesOptions {
  /** Checkpoint file, written every `everySeconds` (default 60), on a signal and at the end. */
  checkpoint?: CheckpointTarget;
  /** Continue from a checkpoint ({@link loadPhasesCheckpoint}). */
  resume?: PhasesCheckpoint;
  /** Length of a slice between looks at the event loop, ms (default 20). */
  sliceMs?: number;
}

/**
 * Checks every phase's method before any work: `'lbfgs'` or a factory of a first-order
 * optimizer (a name such as `'adam'` is refused, naming the phase and the value).
 */
function checkPhases<T extends FloatArray>(phases: readonly MinimizePhase<T>[]): void {
  phases.forEach((p, k) => {
    if (p.method === 'lbfgs' || typeof p.method === 'function') return;
    const got = typeof p.method === 'string' ? `'${p.method}'` : String(p.method);
    throw new ScichainError(
      'InvalidArgument',
      `phase ${k} ('${p.label}'): method must be 'lbfgs' or a function making a first-order optimizer, e.g. () => adam({ learningRate: 1e-3 }); got ${got}`,
    );
  });
}

/** Runs the phases one after the other, each in one `minimize` call (no checkpoints). */
export function minimizePhases<T extends FloatArray>(
  theta: T,
  phases: readonly MinimizePhase<T>[],
): PhasesResult {
  checkPhases(phases);
  const results = phases.map((p) => {
    const method = p.method === 'lbfgs' ? 'lbfgs' : p.method();
    return minimize(p.objective(), theta, { ...p.options, method });
  });
  return { histories: results.map((r) => r.history), results, reason: 'Done' };
}

/** {@link minimizePhases} in slices, with checkpoints and signals (see the module comment). */
export async function minimizePhasesAsync<T extends FloatArray>(
  theta: T,
  phases: readonly MinimizePhase<T>[],
  options: PhasesOptions = {},
): Promise<PhasesResult> {
  checkPhases(phases);
  checkCheckpointOptions(options.checkpoint);
  const sliceMs = options.sliceMs ?? 20;
  let phase = 0;
  let done = 0;
  const histories: number[][] = [];
  let optimizer: FirstOrderOptimizer | null = null;
  let lbfgs: LbfgsState | undefined;
  if (options.resume) {
    const c = checkPhasesCheckpoint(
      options.resume,
      theta,
      phases as unknown as readonly MinimizePhase<FloatArray>[],
    );
    phase = c.phase;
    done = c.iterations;
    histories.push(...c.histories);
    const spec = phases[phase] as MinimizePhase<T> | undefined;
    if (spec && spec.method !== 'lbfgs' && c.optimizer) {
      optimizer = spec.method();
      optimizer.loadState(c.optimizer, child(c.place, 'optimizer'));
    }
    if (c.lbfgs) lbfgs = c.lbfgs;
    theta.set(c.theta);
  }
  const results: (MinimizeResult | undefined)[] = phases.map(() => undefined);
  const checkpoint = options.checkpoint;
  const writer = new CheckpointWriter(checkpoint, (): PhasesCheckpoint => ({
    format: 'scichain.phases',
    version: 1,
    phase,
    iterations: done,
    theta: encodeExact(theta, (i) => `θ[${i}]`),
    histories,
    optimizer: optimizer ? optimizer.state() : null,
    lbfgs: lbfgs ?? null,
  }));
  const signals = new SignalWatch(checkpoint !== undefined && checkpoint.onSignal !== false);
  try {
    for (; phase < phases.length; phase++) {
      const spec = phases[phase];
      const fg = spec.objective();
      const max = spec.options?.maxIterations ?? 1000;
      if (spec.method !== 'lbfgs' && optimizer === null) optimizer = spec.method();
      if (histories.length === phase) histories.push([]);
      const history = histories[phase];
      for (;;) {
        const sliceStart = performance.now();
        const r = minimize(fg, theta, {
          ...spec.options,
          progress: false,
          method: optimizer ?? 'lbfgs',
          maxIterations: max - done,
          callback: () => (performance.now() - sliceStart >= sliceMs ? 'stop' : undefined),
          ...(lbfgs ? { lbfgsState: lbfgs } : {}),
        });
        // A continuing slice starts where the last one ended: its first value is not new.
        // A loop, not push(...): a long slice's history would overflow the call stack.
        for (let k = history.length === 0 ? 0 : 1; k < r.history.length; k++)
          history.push(r.history[k]);
        done += r.iterations;
        if (spec.method === 'lbfgs') lbfgs = r.lbfgsState;
        if (r.reason !== 'Callback') {
          results[phase] = r;
          break;
        }
        await nextTurn();
        if (signals.pending !== undefined) {
          writer.write();
          return {
            histories,
            results,
            reason: 'Interrupted',
            signal: signals.pending,
            ...(writer.path ? { checkpointPath: writer.path } : {}),
          };
        }
        writer.writeIfDue();
      }
      done = 0;
      optimizer = null;
      lbfgs = undefined;
    }
    writer.write();
    const checkpointPath = writer.path;
    return { histories, results, reason: 'Done', ...(checkpointPath ? { checkpointPath } : {}) };
  } finally {
    signals.dispose();
  }
}

/** Reads a checkpoint file of {@link minimizePhasesAsync} (checked fully when resumed). */
export function loadPhasesCheckpoint(path: string): PhasesCheckpoint {
  const doc = readJsonFile(path, 'checkpoint file');
  const obj = requireObject(doc, { source: `checkpoint file ${path}`, path: '' });
  sources.set(obj, `checkpoint file ${path}`);
  return obj as unknown as PhasesCheckpoint;
}

const sources = new WeakMap<object, string>();

/** Checks every field of a phases checkpoint against θ and the phases. */
function checkPhasesCheckpoint(
  value: PhasesCheckpoint,
  theta: FloatArray,
  phases: readonly MinimizePhase<FloatArray>[],
): {
  phase: number;
  iterations: number;
  theta: FloatArray;
  histories: number[][];
  optimizer: OptimizerState | null;
  lbfgs: LbfgsState | null;
  place: FieldPlace;
} {
  const place: FieldPlace = { source: sources.get(value) ?? 'checkpoint', path: '' };
  const c = requireObject(value, place);
  if (own(c, 'format') !== 'scichain.phases')
    fieldError(
      child(place, 'format'),
      `must be "scichain.phases", got ${describeValue(own(c, 'format'))}`,
    );
  if (own(c, 'version') !== 1)
    fieldError(
      child(place, 'version'),
      `is ${describeValue(own(c, 'version'))}; this scichain reads version 1`,
    );
  const phase = integerField(c, 'phase', place, 0, phases.length);
  const max = phase < phases.length ? (phases[phase].options?.maxIterations ?? 1000) : 0;
  const iterations = integerField(c, 'iterations', place, 0, max);
  const values = arrayField(c, 'theta', place);
  if (values.length !== theta.length)
    fieldError(
      child(place, 'theta'),
      `has ${values.length} entries but θ has ${theta.length}`,
      'ShapeMismatch',
    );
  const t =
    theta instanceof Float32Array ? new Float32Array(theta.length) : new Float64Array(theta.length);
  readExactArray(values, child(place, 'theta'), t);
  const list = arrayField(c, 'histories', place);
  const expected = Math.min(phase + 1, phases.length);
  if (list.length !== expected && !(list.length === phase && iterations === 0))
    fieldError(
      child(place, 'histories'),
      `has ${list.length} phases but phase ${phase} is under way`,
    );
  const histories = list.map((h, k) => {
    const p = child(child(place, 'histories'), k);
    if (!Array.isArray(h)) fieldError(p, `must be an array, got ${describeValue(h)}`);
    return h.map((v, i) => finiteAt(v, child(p, i)));
  });
  const spec = phases[phase] as MinimizePhase<FloatArray> | undefined;
  const opt = own(c, 'optimizer');
  const lb = own(c, 'lbfgs');
  let lbfgs: LbfgsState | null = null;
  if (lb !== null && lb !== undefined) {
    if (!spec || spec.method !== 'lbfgs')
      fieldError(child(place, 'lbfgs'), `is given but phase ${phase} does not use L-BFGS`);
    readLbfgsState(lb, spec.options?.memory ?? 10, theta.length, child(place, 'lbfgs'));
    lbfgs = lb as LbfgsState;
  }
  if (opt !== null && opt !== undefined && (!spec || spec.method === 'lbfgs'))
    fieldError(child(place, 'optimizer'), `is given but phase ${phase} uses L-BFGS`);
  return {
    phase,
    iterations,
    theta: t,
    histories,
    optimizer: (opt ?? null) as OptimizerState | null,
    lbfgs,
    place,
  };
}
