/**
 * Population fits of models with networks or surrogates in them (in the dynamics, or from
 * covariates to typical values): many fixed effects, most of them weights.
 *
 * The FOCE(I) objective's exact gradient needs second derivatives of the predictions (its
 * log-determinant term depends on ∂f/∂η), and central differences cost two objective
 * evaluations — each with every subject's η̂ search — per weight. So the weights are estimated
 * on the joint objective instead, alternating as Lindstrom & Bates' algorithm (R's nlme) does:
 *
 * 1. joint step: with Ω and the residual parameters fixed, minimise
 *    J = Σᵢ [Σⱼ ln R + (y − f)²/R + ηᵢᵀΩ⁻¹ηᵢ] over θ, the weights and every ηᵢ together by L-BFGS
 *    with J's exact gradient (forward sensitivities of the ODE for ∂f/∂φ; see JointObjective);
 * 2. population step: with the weights fixed, the usual FOCEI (or chosen method) fit of θ, Ω
 *    and the residual parameters, warm-started from step 1's η.
 *
 * Each round's objective is that method's objective with the weights as estimated, so it is
 * comparable with any other model's fit by the same method (AIC/BIC count the weights as
 * parameters). The best round is returned. This is the approach of DeepPumas' "JointMAP then
 * FOCE" workflow rather than a joint FOCEI optimum: the weights minimise J, not the marginal
 * likelihood's approximation.
 */
import { ScichainError } from '../../core/errors.ts';
import { minimize } from '../../optim/minimize.ts';
import type { MinimizeOptions } from '../../optim/minimize-options.ts';
import {
  checkCheckpointOptions,
  CheckpointWriter,
  type CheckpointTarget,
} from '../../io/checkpoint-file.ts';
import { nodeBuiltin } from '../../io/node-builtins.ts';
import { nextTurn } from '../../io/event-loop.ts';
import { SignalWatch } from '../../io/signals.ts';
import { skippedCovariance } from './covariance-step.ts';
import { dataFingerprint, loadPopulationFitCheckpoint } from './fit-checkpoint.ts';
import {
  fitPopulation,
  fitPopulationAsync,
  informationCriteria,
  type FitPopulationOptions,
  type PopulationFit,
  type PopulationThreadOptions,
} from './fit-population.ts';
import { JointObjective } from './joint-objective.ts';
import { checkNlmeMethod } from './nlme-objective.ts';
import {
  neuralFitCheckpoint,
  readNeuralFitCheckpoint,
  type NeuralFitCheckpoint,
  type NeuralFitShape,
  type NeuralFitState,
} from './neural-fit-checkpoint.ts';
import type { PopulationModel, PopulationSubject } from './population-model.ts';

/** Options of {@link fitNeuralPopulation}. */
export interface NeuralPopulationOptions {
  /** Method of the population step (default FOCEI). */
  readonly method?: FitPopulationOptions['method'];
  /** Rounds of joint step + population step (default 3). */
  readonly rounds?: number;
  /** L-BFGS iterations of each joint step (default 300). */
  readonly jointIterations?: number;
  /** Outer iterations of each population step (default 200). */
  readonly populationIterations?: number;
  /**
   * Standard errors of θ, Ω and residual parameters, computed in the last round (default true;
   * weights: none). When an earlier round had the lower objective, that round is returned
   * without them.
   */
  readonly covariance?: boolean;
  /** Starting x (default the model's initial values). */
  readonly start?: ArrayLike<number>;
  /** Called after every round (progress). */
  readonly onRound?: (round: NeuralPopulationRound) => void;
  /**
   * Evaluate the population steps' subjects on worker threads (see `PopulationThreadOptions`):
   * the FOCE(I) steps, where most of the time goes, split the subjects over the threads.
   */
  readonly threads?: PopulationThreadOptions;
}

/** What one round did. */
export interface NeuralPopulationRound {
  readonly round: number;
  /** J after the joint step. */
  readonly joint: number;
  readonly jointIterations: number;
  /** The population step's objective (NONMEM convention). */
  readonly objective: number;
  readonly seconds: number;
}

/** A {@link PopulationFit} with the rounds that led to it. */
export interface NeuralPopulationFit extends PopulationFit {
  readonly rounds: readonly NeuralPopulationRound[];
}

/** Fits a population model with weight vectors; see the module comment. */
export function fitNeuralPopulation(
  model: PopulationModel,
  subjects: readonly PopulationSubject[],
  options: NeuralPopulationOptions = {},
): NeuralPopulationFit {
  const started = performance.now();
  checkNeuralOptions(options);
  const roundCount = options.rounds ?? 3;
  let x: Float64Array = Float64Array.from(options.start ?? model.initial());
  let etas: Float64Array[] = subjects.map(() => new Float64Array(model.q));
  const rounds: NeuralPopulationRound[] = [];
  const fits: PopulationFit[] = [];
  for (let round = 1; round <= roundCount; round++) {
    const roundStart = performance.now();
    const joint = new JointObjective(model, subjects, x, { eta: 'free', residual: 'fixed' });
    const z = jointStart(joint, x, etas, round);
    const run = minimize(joint.valueAndGradient, z, jointOptions(options));
    x = joint.toX(z);
    etas = subjects.map((_, i) => joint.eta(z, i));
    const fit = fitPopulation(model, subjects, populationOptions(model, options, round, x, etas));
    x = fit.x;
    etas = fit.eta.map((e) => e.slice());
    fits.push(fit);
    const info: NeuralPopulationRound = {
      round,
      joint: run.value,
      jointIterations: run.iterations,
      objective: fit.objective,
      seconds: (performance.now() - roundStart) / 1000,
    };
    rounds.push(info);
    options.onRound?.(info);
  }
  const best = bestRound(rounds);
  return neuralResult(model, options, fits[best], best, rounds, started);
}

/** The joint step's start z; an error names the round when J is not finite there. */
function jointStart(
  joint: JointObjective,
  x: Float64Array,
  etas: readonly ArrayLike<number>[],
  round: number,
): Float64Array {
  const z = joint.initial(x, etas);
  if (!Number.isFinite(joint.value(z)))
    throw new ScichainError(
      'InvalidState',
      `round ${round}: the joint objective is not finite at its start: ${joint.lastFailure ?? 'unknown reason'}`,
    );
  return z;
}

function jointOptions(options: NeuralPopulationOptions): MinimizeOptions {
  return {
    method: 'lbfgs',
    maxIterations: options.jointIterations ?? 300,
    gradientTolerance: 1e-6,
    progress: false,
  };
}

/** Names checked before the first joint step (which may run for minutes). */
function checkNeuralOptions(options: NeuralPopulationOptions): void {
  if (options.method !== undefined) checkNlmeMethod(options.method);
}

/** The population step of `round`: the weights fixed, warm-started from the joint step's η. */
function populationOptions(
  model: PopulationModel,
  options: NeuralPopulationOptions,
  round: number,
  x: Float64Array,
  etas: readonly Float64Array[],
): FitPopulationOptions {
  const last = round === (options.rounds ?? 3);
  return {
    method: options.method ?? 'FOCEI',
    start: x,
    fixed: model.weightBlocks.map((b) => b.name),
    startEta: etas,
    maxIterations: options.populationIterations ?? 200,
    covariance: last && (options.covariance ?? true),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
  };
}

/** The round (0-based) returned: the lowest objective, the last one on a tie. */
function bestRound(rounds: readonly { objective: number }[]): number {
  let best = 0;
  for (let r = 1; r < rounds.length; r++)
    if (
      rounds[r].objective < rounds[best].objective ||
      (r === rounds.length - 1 && rounds[r].objective <= rounds[best].objective)
    )
      best = r;
  return best;
}

function neuralResult(
  model: PopulationModel,
  options: NeuralPopulationOptions,
  fit: PopulationFit,
  best: number,
  rounds: NeuralPopulationRound[],
  started: number,
): NeuralPopulationFit {
  // The weights were estimated too: they count in AIC and BIC.
  const weightCount = model.weightBlocks.reduce((s, b) => s + b.size, 0);
  const k = fit.parameterCount + weightCount;
  const earlier = (options.covariance ?? true) && best !== rounds.length - 1;
  return {
    ...fit,
    ...(earlier
      ? {
          covariance: skippedCovariance(
            `round ${best + 1} had the lowest objective; the covariance step ran in the last round only`,
          ),
        }
      : {}),
    ...informationCriteria(fit.objective, fit.observationCount, k),
    seconds: (performance.now() - started) / 1000,
    rounds,
  };
}

/** Options of {@link fitNeuralPopulationAsync}. */
export interface NeuralPopulationAsyncOptions extends NeuralPopulationOptions {
  /**
   * Checkpoint file, written every `everySeconds` (default 60), at every stage's end and, unless
   * `onSignal` is false, when SIGINT or SIGTERM arrives (the fit then resolves as
   * `'Interrupted'`). A population step in progress writes its own beside it
   * (`<path>.round-<k>.json`).
   */
  readonly checkpoint?: CheckpointTarget;
  /** Continue from a checkpoint ({@link scichain/node!loadNeuralFitCheckpoint}), bit-exactly. */
  readonly resume?: NeuralFitCheckpoint;
  /** Length of a slice between looks at the event loop, ms (default 20). */
  readonly sliceMs?: number;
  /** Interrupt, as a signal would, after this many slices (tests and bounded runs). */
  readonly stopAfterSlices?: number;
}

/** Outcome of {@link fitNeuralPopulationAsync}. */
export type NeuralPopulationRun =
  | { readonly reason: 'Done'; readonly fit: NeuralPopulationFit; readonly checkpointPath?: string }
  | {
      readonly reason: 'Interrupted';
      readonly signal?: 'SIGINT' | 'SIGTERM';
      readonly checkpointPath?: string;
      /** Where it stopped. */
      readonly round: number;
      readonly stage: 'joint' | 'population';
    };

/**
 * {@link fitNeuralPopulation} in slices of about `sliceMs`, with checkpoints on an interval and
 * on SIGINT/SIGTERM: the joint steps continue L-BFGS from its curvature memory, the population
 * steps run through `fitPopulationAsync`. Resumed, it ends with the bits of an uninterrupted
 * `fitNeuralPopulation` (when the best round was done before the interruption, its population
 * step is run again from its recorded inputs, which gives the same fit).
 */
export async function fitNeuralPopulationAsync(
  model: PopulationModel,
  subjects: readonly PopulationSubject[],
  options: NeuralPopulationAsyncOptions = {},
): Promise<NeuralPopulationRun> {
  const started = performance.now();
  checkNeuralOptions(options);
  checkCheckpointOptions(options.checkpoint);
  const roundCount = options.rounds ?? 3;
  const q = model.q;
  const x0 = Float64Array.from(options.start ?? model.initial());
  const probe = new JointObjective(model, subjects, x0, { eta: 'free', residual: 'fixed' });
  const shape: NeuralFitShape = {
    method: options.method ?? 'FOCEI',
    rounds: roundCount,
    subjects: subjects.length,
    q,
    size: model.size,
    jointSize: probe.size,
    jointIterations: options.jointIterations ?? 300,
    data: dataFingerprint(subjects),
  };
  const state: NeuralFitState =
    options.resume === undefined
      ? {
          round: 1,
          stage: 'joint',
          x: x0,
          etas: new Float64Array(subjects.length * q),
          joint: null,
          done: [],
        }
      : readNeuralFitCheckpoint(options.resume, shape);
  const resumedInto =
    options.resume === undefined ? null : { round: state.round, stage: state.stage };
  const checkpoint = options.checkpoint;
  const signals = new SignalWatch(checkpoint !== undefined && checkpoint.onSignal !== false);
  const sliceMs = options.sliceMs ?? 20;
  const stopAfter = options.stopAfterSlices ?? Infinity;
  let slices = 0;
  const writer = new CheckpointWriter(checkpoint, () => neuralFitCheckpoint(shape, state));
  const write = (): void => writer.write();
  const interrupted = (): NeuralPopulationRun => {
    write();
    return {
      reason: 'Interrupted',
      ...(signals.pending === undefined ? {} : { signal: signals.pending }),
      ...(writer.path === undefined ? {} : { checkpointPath: writer.path }),
      round: state.round,
      stage: state.stage,
    };
  };
  const split = (flat: Float64Array): Float64Array[] =>
    subjects.map((_, i) => flat.slice(i * q, (i + 1) * q));
  const flatten = (list: readonly ArrayLike<number>[]): Float64Array => {
    const out = new Float64Array(subjects.length * q);
    list.forEach((e, i) => out.set(e, i * q));
    return out;
  };
  const rounds: NeuralPopulationRound[] = state.done.map((d, r) => ({
    round: r + 1,
    joint: d.joint,
    jointIterations: d.jointIterations,
    objective: d.objective,
    seconds: d.seconds,
  }));
  /** Fits of the rounds done in this process (by round index). */
  const fits: (PopulationFit | undefined)[] = [];
  try {
    let roundStart = performance.now();
    while (state.round <= roundCount) {
      const round = state.round;
      if (state.stage === 'joint') {
        const joint = new JointObjective(model, subjects, state.x, {
          eta: 'free',
          residual: 'fixed',
        });
        if (state.joint === null) {
          const z = jointStart(joint, state.x, split(state.etas), round);
          state.joint = { z, lbfgs: null, iterations: 0, value: NaN };
        }
        const j = state.joint;
        const base = jointOptions(options);
        for (;;) {
          const sliceStart = performance.now();
          const r = minimize(joint.valueAndGradient, j.z, {
            ...base,
            maxIterations: (base.maxIterations ?? 300) - j.iterations,
            ...(j.lbfgs === null ? {} : { lbfgsState: j.lbfgs }),
            callback: () => (performance.now() - sliceStart >= sliceMs ? 'stop' : undefined),
          });
          j.iterations += r.iterations;
          j.lbfgs = r.lbfgsState ?? null;
          j.value = r.value;
          if (r.reason !== 'Callback') break;
          await nextTurn();
          if (signals.pending !== undefined || ++slices >= stopAfter) return interrupted();
          writer.writeIfDue();
        }
        state.x = joint.toX(j.z);
        state.etas = flatten(subjects.map((_, i) => joint.eta(j.z, i)));
        state.stage = 'population';
        write();
      }
      // The population step: its own checkpoint beside this one, used only when this process
      // resumed into this very step (a file left by another run is not this step's).
      const populationPath = checkpoint ? `${checkpoint.path}.round-${round}.json` : undefined;
      const resumeStep =
        populationPath !== undefined &&
        resumedInto?.round === round &&
        resumedInto.stage === 'population' &&
        nodeBuiltin('node:fs', `resuming from checkpoint ${populationPath}`).existsSync(
          populationPath,
        )
          ? loadPopulationFitCheckpoint(populationPath)
          : undefined;
      const stepInputs = { x: state.x.slice(), etas: state.etas.slice() };
      const step = await fitPopulationAsync(model, subjects, {
        ...populationOptions(model, options, round, state.x, split(state.etas)),
        ...(populationPath === undefined
          ? {}
          : {
              checkpoint: {
                path: populationPath,
                everySeconds: checkpoint!.everySeconds ?? 60,
                onSignal: checkpoint!.onSignal ?? true,
              },
            }),
        ...(resumeStep === undefined ? {} : { resume: resumeStep }),
        sliceMs,
        ...(stopAfter === Infinity ? {} : { stopAfterIterations: Math.max(1, stopAfter - slices) }),
      });
      if (step.reason === 'Interrupted') {
        slices = stopAfter;
        return interrupted();
      }
      const fit = step.fit;
      const j = state.joint!;
      const info: NeuralPopulationRound = {
        round,
        joint: j.value,
        jointIterations: j.iterations,
        objective: fit.objective,
        seconds: (performance.now() - roundStart) / 1000,
      };
      rounds.push(info);
      fits[round - 1] = fit;
      state.done.push({ ...info, x: stepInputs.x, etas: stepInputs.etas });
      options.onRound?.(info);
      state.x = Float64Array.from(fit.x);
      state.etas = flatten(fit.eta);
      state.joint = null;
      state.stage = 'joint';
      state.round++;
      roundStart = performance.now();
      write();
      if (populationPath !== undefined)
        nodeBuiltin('node:fs', `removing checkpoint ${populationPath}`).rmSync(populationPath, {
          force: true,
        });
    }
    const best = bestRound(rounds);
    // A best round done before an interruption: its population step again, from its inputs.
    const fit =
      fits[best] ??
      fitPopulation(
        model,
        subjects,
        populationOptions(
          model,
          options,
          best + 1,
          state.done[best].x,
          split(state.done[best].etas),
        ),
      );
    return {
      reason: 'Done',
      fit: neuralResult(model, options, fit, best, rounds, started),
      ...(writer.path === undefined ? {} : { checkpointPath: writer.path }),
    };
  } finally {
    signals.dispose();
  }
}
