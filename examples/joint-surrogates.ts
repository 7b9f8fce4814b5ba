/**
 * Three kinds of learned term in one mechanistic model, trained together through one θ:
 *
 *   - a Fourier series for the circadian rhythm of a biomarker's production (periodic in t),
 *   - a small network correcting a hyperbolic Emax drug effect (the truth is sigmoid),
 *   - a Chebyshev expansion for a smooth covariate effect (elimination vs body weight),
 *
 * alongside the mechanistic parameters (kin, kout, Emax, EC50, baseline R₀), on a dozen
 * simulated subjects of different weights and doses (`models/circadian-indirect-response.ts`).
 * Adam, then L-BFGS; gradients by the quadrature adjoint, summed over subjects.
 *
 * Then the same fit with the rhythm learned by each kind of approximator in turn (Fourier,
 * Chebyshev, network): parameters used, final loss, error of the learned rhythm, gradient time.
 *
 *   node --import tsx examples/joint-surrogates.ts [--seed S] [--iterations N] [--out DIR]
 *     [--checkpoint FILE] [--checkpoint-every S] [--resume FILE]
 *
 * Writes DIR/joint-surrogates.html (DIR defaults to reports; `--help` lists the flags). Each variant's training writes a
 * checkpoint (FILE.<kind>.json) every 60 s and on Ctrl-C or SIGTERM, then exits 130/143
 * printing the command that resumes it bit-exactly (`--resume FILE`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkpointFlags, exampleArguments, exitInterrupted, runExample } from './cli.ts';
import {
  adam,
  bolus,
  chain,
  chebyshev,
  dense,
  fourier,
  median,
  minimizePhases,
  odeObjective,
  odeProblem,
  Report,
  Rng,
  solve,
  type Layer,
  type MinimizePhase,
} from '../src/index.ts';
import { loadPhasesCheckpoint } from '../src/optim/minimize-phases.ts';
import {
  minimizePhasesAsync,
  type PhasesOptions,
  type PhasesResult,
  type ProgressSetting,
  type ValueAndGradient,
} from '../src/training/index.ts';
import { type ExpressionModel } from '../models/index.ts';
import {
  CIRCADIAN_TRUTH,
  circadianModel,
  circadianTruthModel,
  trueEffect,
  trueKout,
  trueProduction,
  type CircadianTerms,
} from '../models/circadian-indirect-response.ts';

/** The approximators the rhythm can be learned by. */
export type RhythmKind = 'fourier' | 'chebyshev' | 'network';

/** Settings of one run (defaults are the example's). */
export interface JointSurrogatesOptions {
  /** Seed of the subjects' weights, the noise and the initial coefficients (default 1). */
  seed?: number;
  /** Number of subjects (default 12; doses cycle through 0, 50, 100, 200 mg). */
  subjects?: number;
  /** Residual SD of the response (default 0.2, 2 % of the baseline). */
  noise?: number;
  /** Adam steps (default 200) at learning rate `adamLearningRate` (default 0.02). */
  adamSteps?: number;
  adamLearningRate?: number;
  /** L-BFGS iterations (default 400). */
  iterations?: number;
  /** Ridge penalty λ·‖w‖² on the correction network's parameters (default 0.05). */
  weightDecay?: number;
  /** Which approximators learn the rhythm, in the comparison (default all three). */
  kinds?: readonly RhythmKind[];
  progress?: ProgressSetting;
}

/** One simulated subject. */
export interface Subject {
  readonly weight: number;
  /** IV bolus at t = 24 h, mg (0: placebo). */
  readonly dose: number;
  /** Response observed at {@link OBSERVATION_TIMES}. */
  readonly observed: Float64Array;
  /** Noise-free response at the same times. */
  readonly truth: Float64Array;
  /** True baseline at t = 0. */
  readonly baseline: number;
}

/** Result of training one model variant. */
export interface FitResult {
  readonly kind: RhythmKind;
  readonly model: ExpressionModel;
  readonly theta: Float64Array;
  readonly loss: number;
  readonly history: number[];
  readonly terms: CircadianTerms;
  readonly evaluations: number;
  readonly msPerGradient: number;
  readonly seconds: number;
  /** Parameters of the rhythm term. */
  readonly rhythmParameters: number;
  /** Relative RMS errors of the learned production, effect and kout against the truth. */
  readonly errors: { readonly production: number; readonly effect: number; readonly kout: number };
}

/** Everything a report needs. */
export interface JointSurrogatesResult {
  readonly subjects: readonly Subject[];
  readonly fits: readonly FitResult[];
  readonly options: Required<Omit<JointSurrogatesOptions, 'progress'>>;
}

/** Observations every 2 h over three days; the dose is given at 24 h. */
export const OBSERVATION_TIMES = Array.from({ length: 37 }, (_, i) => 2 * i);
const DOSE_TIME = 24;
/** Hours simulated before the first observation. */
const SETTLE = 72;
const DOSES = [0, 50, 100, 200];

/** The seeded subjects: weights uniform in 45–115 kg, doses cycling, additive Gaussian noise. */
export function simulateSubjects(seed: number, count: number, noise: number): Subject[] {
  const rng = new Rng(seed).fork('subjects');
  const model = circadianTruthModel();
  const p = model.initialParameters();
  return Array.from({ length: count }, (_, i) => {
    const weight = 45 + 70 * rng.uniform();
    const dose = DOSES[i % DOSES.length];
    // Ten drug-free days settle the response on its daily cycle before the observations start.
    const settle = solve(
      odeProblem({ f: model.f, u0: [0, 10, weight], tspan: [-240, 0], p }),
      'Vern7',
      { rtol: 1e-10, atol: 1e-10 },
    ).assertSuccess();
    const baseline = settle.at(0)[1];
    const solution = solve(
      odeProblem({ f: model.f, u0: [0, baseline, weight], tspan: [0, 72], p }),
      'Vern7',
      {
        rtol: 1e-10,
        atol: 1e-10,
        saveat: OBSERVATION_TIMES,
        events: dose > 0 ? [{ time: DOSE_TIME, apply: (u) => void (u[0] += dose) }] : [],
      },
    ).assertSuccess();
    const truth = Float64Array.from(OBSERVATION_TIMES, (_, k) => solution.u[3 * k + 1]);
    const observed = truth.map((v) => v + noise * rng.normal());
    return { weight, dose, observed, truth, baseline };
  });
}

/** The learned terms for a rhythm of the given kind (the other two terms are always the same). */
export function circadianTerms(kind: RhythmKind): CircadianTerms {
  const rhythm: Record<RhythmKind, { layer: Layer; input: string }> = {
    fourier: { layer: fourier({ harmonics: 2, period: 24, inputs: 1 }), input: 't' },
    chebyshev: { layer: chebyshev({ degree: 40, domain: [-SETTLE, 72], inputs: 1 }), input: 't' },
    network: {
      layer: chain(1, dense(8, 'tanh'), dense(8, 'tanh'), dense(1)),
      input: 't/72', // [−1, 1] over the simulated window
    },
  };
  return {
    rhythm: rhythm[kind].layer,
    rhythmInput: rhythm[kind].input,
    correction: chain(1, dense(5, 'tanh'), dense(1)),
    covariate: chebyshev({ degree: 3, domain: [...CIRCADIAN_TRUTH.weightRange], inputs: 1 }),
  };
}

/** Sum over subjects of the sum of squared errors, with its gradient. */
function populationObjective(
  model: ExpressionModel,
  subjects: readonly Subject[],
  weightDecay: number,
): ValueAndGradient<Float64Array> {
  const parts = subjects.map(
    (s) =>
      odeObjective({
        model,
        // From a drug-free start three days before the data, so that each subject's response
        // settles on the model's own daily cycle (the start value decays as e^(−kout·72) < 1 %).
        u0: [0, 10, s.weight],
        t0: -SETTLE,
        data: { times: OBSERVATION_TIMES, values: s.observed },
        observe: [1],
        events: s.dose > 0 ? [bolus(DOSE_TIME, 0, s.dose)] : [],
        method: 'DP5',
        rtol: 1e-7,
        atol: 1e-7,
      }).valueAndGradient,
  );
  const scratch = new Float64Array(model.paramCount);
  // Ridge penalty on the correction network: without it, the network sharpens into steps between
  // the concentrations the data happen to pass slowly.
  const first = model.offset('correction');
  const end = first + model.layout.block('correction').size;
  return (p, grad) => {
    grad.fill(0);
    let total = 0;
    for (const part of parts) {
      total += part(p, scratch);
      for (let k = 0; k < grad.length; k++) grad[k] += scratch[k];
    }
    for (let k = first; k < end; k++) {
      total += weightDecay * p[k] * p[k];
      grad[k] += 2 * weightDecay * p[k];
    }
    return total;
  };
}

/** A term's scalar output at one input (for plots and errors). */
function termAt(model: ExpressionModel, theta: Float64Array, name: string, layer: Layer) {
  const cache = layer.createCache('float64', 1);
  const x = new Float64Array(1);
  const y = new Float64Array(1);
  const offset = model.offset(name);
  return (input: number): number => {
    x[0] = input;
    layer.forward(theta, offset, x, y, cache, 1);
    return y[0];
  };
}

/** The learned functions of a fitted model, on natural scales. */
export function learnedFunctions(
  model: ExpressionModel,
  theta: Float64Array,
  terms: CircadianTerms,
): {
  production: (t: number) => number;
  effect: (c: number) => number;
  hyperbolic: (c: number) => number;
  kout: (weight: number) => number;
} {
  const get = (name: string): number => model.layout.get(theta, name);
  const rhythm = termAt(model, theta, 'rhythm', terms.rhythm);
  const correction = termAt(model, theta, 'correction', terms.correction);
  const covariate = termAt(model, theta, 'covariate', terms.covariate);
  const scale = terms.rhythmInput === 't' ? 1 : 1 / 72;
  const hyperbolic = (c: number): number => (get('emax') * c) / (get('ec50') + c);
  return {
    production: (t) => get('kin') * Math.exp(rhythm(t * scale)),
    effect: (c) => hyperbolic(c) + (c / 10) * correction(c / 10),
    hyperbolic,
    kout: (w) => get('kout') * Math.exp(covariate(w)),
  };
}

/** Relative RMS error of `f` against `truth` on a grid. */
function relativeRms(f: (x: number) => number, truth: (x: number) => number, grid: number[]) {
  let num = 0;
  let den = 0;
  for (const x of grid) {
    num += (f(x) - truth(x)) ** 2;
    den += truth(x) ** 2;
  }
  return Math.sqrt(num / den);
}

const grid = (a: number, b: number, n: number): number[] =>
  Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));

/** Trains one variant on the subjects. */
export function fitVariant(
  kind: RhythmKind,
  subjects: readonly Subject[],
  o: JointSurrogatesResult['options'],
  progress: ProgressSetting,
): FitResult {
  const v = prepareVariant(kind, subjects, o, progress);
  const started = performance.now();
  const run = minimizePhases(v.theta, v.phases);
  return v.finish(run, (performance.now() - started) / 1000);
}

/**
 * {@link fitVariant} in slices that let the event loop run: with `checkpoint` a SIGINT or
 * SIGTERM stops it with a checkpoint (the result is then the interrupted run), `resume`
 * continues one; θ and the fit are bit-identical to {@link fitVariant}'s.
 */
export async function fitVariantAsync(
  kind: RhythmKind,
  subjects: readonly Subject[],
  o: JointSurrogatesResult['options'],
  progress: ProgressSetting,
  files: Pick<PhasesOptions, 'checkpoint' | 'resume'>,
): Promise<FitResult | PhasesResult> {
  const v = prepareVariant(kind, subjects, o, progress);
  const started = performance.now();
  const run = await minimizePhasesAsync(v.theta, v.phases, files);
  if (run.reason === 'Interrupted') return run;
  return v.finish(run, (performance.now() - started) / 1000);
}

/** Model, θ and training phases (Adam, then L-BFGS) of one variant. */
function prepareVariant(
  kind: RhythmKind,
  subjects: readonly Subject[],
  o: JointSurrogatesResult['options'],
  progress: ProgressSetting,
) {
  const terms = circadianTerms(kind);
  const model = circadianModel(terms);
  const theta = model.initialParameters(o.seed) as Float64Array;
  const frozen = model.layout.frozenMask();
  const objective = populationObjective(model, subjects, o.weightDecay);
  const times: number[] = [];
  const timed: ValueAndGradient<Float64Array> = (p, g) => {
    const started = performance.now();
    const value = objective(p, g);
    times.push(performance.now() - started);
    return value;
  };
  const phases: MinimizePhase<Float64Array>[] = [
    {
      label: 'Adam',
      objective: () => timed,
      method: () => adam({ learningRate: o.adamLearningRate }),
      options: { maxIterations: o.adamSteps, frozen, progress },
    },
    {
      label: 'L-BFGS',
      objective: () => timed,
      method: 'lbfgs',
      options: {
        memory: 50,
        maxIterations: o.iterations,
        gradientTolerance: 1e-9,
        frozen,
        progress,
      },
    },
  ];
  const finish = (run: PhasesResult, seconds: number): FitResult => {
    const learned = learnedFunctions(model, theta, terms);
    const [w0, w1] = CIRCADIAN_TRUTH.weightRange;
    return {
      kind,
      model,
      theta,
      loss: run.histories[1].at(-1) ?? NaN,
      history: [...run.histories[0], ...run.histories[1]],
      evaluations: times.length,
      msPerGradient: median(times),
      seconds,
      rhythmParameters: terms.rhythm.paramCount,
      terms,
      errors: {
        production: relativeRms(learned.production, trueProduction, grid(0, 72, 289)),
        effect: relativeRms(learned.effect, trueEffect, grid(0, 20, 101)),
        kout: relativeRms(learned.kout, trueKout, grid(w0 + 5, w1 - 5, 71)),
      },
    };
  };
  return { theta, phases, finish };
}

/** Runs the example: data, then one fit per rhythm kind (the first is the headline fit). */
export function runJointSurrogates(options: JointSurrogatesOptions = {}): JointSurrogatesResult {
  const o = settings(options);
  const subjects = simulateSubjects(o.seed, o.subjects, o.noise);
  const fits = o.kinds.map((kind) => fitVariant(kind, subjects, o, options.progress ?? 'auto'));
  return { subjects, fits, options: o };
}

/**
 * {@link runJointSurrogates} with checkpoints: variant `kind` writes `<checkpoint>.<kind>.json`
 * (every `everySeconds` and on SIGINT/SIGTERM, which stop the run: `interrupted` is then set);
 * `resume` (the same base path) continues each variant from its file where there is one.
 */
export async function runJointSurrogatesAsync(
  options: JointSurrogatesOptions & {
    checkpoint: { path: string; everySeconds?: number };
    resume?: string;
  },
): Promise<{ result?: JointSurrogatesResult; interrupted?: PhasesResult }> {
  const o = settings(options);
  const subjects = simulateSubjects(o.seed, o.subjects, o.noise);
  const fits: FitResult[] = [];
  for (const kind of o.kinds) {
    const file = (base: string) => `${base.replace(/\.json$/, '')}.${kind}.json`;
    const resume =
      options.resume !== undefined && existsSync(file(options.resume))
        ? { resume: loadPhasesCheckpoint(file(options.resume)) }
        : {};
    const fit = await fitVariantAsync(kind, subjects, o, options.progress ?? 'auto', {
      checkpoint: { ...options.checkpoint, path: file(options.checkpoint.path) },
      ...resume,
    });
    if ('reason' in fit) return { interrupted: fit };
    fits.push(fit);
  }
  return { result: { subjects, fits, options: o } };
}

/** The settings of a run, with defaults. */
function settings(options: JointSurrogatesOptions): JointSurrogatesResult['options'] {
  return {
    seed: options.seed ?? 1,
    subjects: options.subjects ?? 12,
    noise: options.noise ?? 0.2,
    adamSteps: options.adamSteps ?? 200,
    adamLearningRate: options.adamLearningRate ?? 0.02,
    iterations: options.iterations ?? 400,
    weightDecay: options.weightDecay ?? 0.05,
    kinds: options.kinds ?? (['fourier', 'chebyshev', 'network'] as const),
  };
}

/** The fitted response of one subject on a fine grid (for the data-vs-fit chart). */
function fittedResponse(fit: FitResult, subject: Subject, times: number[]): number[] {
  const solution = solve(
    odeProblem({ f: fit.model.f, u0: [0, 10, subject.weight], tspan: [-SETTLE, 72], p: fit.theta }),
    'DP5',
    {
      rtol: 1e-8,
      atol: 1e-8,
      saveat: times,
      events:
        subject.dose > 0 ? [{ time: DOSE_TIME, apply: (u) => void (u[0] += subject.dose) }] : [],
    },
  ).assertSuccess();
  return times.map((_, k) => solution.u[3 * k + 1]);
}

const percent = (x: number): string => `${(100 * x).toFixed(1)} %`;

/** The HTML report: data vs fit, each learned term vs the truth, the comparison table. */
export function jointSurrogatesReport(r: JointSurrogatesResult): Report {
  const main = r.fits[0];
  const learned = learnedFunctions(main.model, main.theta, main.terms);
  const report = new Report(
    'One θ, three kinds of learned term: Fourier, network and Chebyshev in a PK/PD model',
    `${r.subjects.length} simulated subjects, response SD ${r.options.noise}, seed ${r.options.seed}; Adam (${r.options.adamSteps} steps) then L-BFGS (≤ ${r.options.iterations} iterations), quadrature adjoint`,
  );
  report.text(
    'Model: amount′ = −k·amount (IV bolus at 24 h, c = amount/v, k and v known); ' +
      'R′ = kin·exp(rhythm(t)) − kout·exp(covariate(WT))·(1 + E(c))·R with E(c) = Emax·c/(EC50 + c) + (c/10)·correction(c/10). ' +
      `rhythm: ${main.terms.rhythm.description ?? main.kind}; correction: ${main.terms.correction.description}; covariate: ${main.terms.covariate.description}. ` +
      'The data come from a circadian production exp(0.3·cos(2π(t − 8)/24) + 0.1·sin(4πt/24)), a sigmoid Emax (Hill 2) and kout ∝ WT^(−1/4).',
  );
  report.table({
    caption: `Learned terms against the truth (${main.kind} rhythm): relative RMS error`,
    columns: ['term', 'range', 'relative RMS error'],
    rows: [
      ['production kin·exp(rhythm(t))', 't ∈ [0, 72] h', percent(main.errors.production)],
      ['drug effect E(c)', 'c ∈ [0, 20] mg/L', percent(main.errors.effect)],
      ['kout(WT)', 'WT ∈ [45, 115] kg', percent(main.errors.kout)],
    ],
  });

  const fine = grid(0, 72, 145);
  const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728'];
  report.chart({
    title: `Data and fit, one subject per dose (${main.kind} rhythm)`,
    traces: DOSES.flatMap((dose, i) => {
      const s = r.subjects.find((x) => x.dose === dose);
      if (!s) return [];
      const label = `${dose} mg, ${s.weight.toFixed(0)} kg`;
      return [
        {
          x: OBSERVATION_TIMES,
          y: Array.from(s.observed),
          name: label,
          mode: 'markers' as const,
          color: palette[i],
        },
        { x: fine, y: fittedResponse(main, s, fine), name: `fit ${label}`, color: palette[i] },
      ];
    }),
    x: { title: 't (h); dose at 24 h' },
    y: { title: 'response R' },
  });
  report.chart({
    title: 'Learned vs true production rate (the Fourier term)',
    traces: [
      { x: fine, y: fine.map(trueProduction), name: 'truth', color: '#444', dash: 'dash' },
      ...r.fits.map((f, i) => {
        const l = learnedFunctions(f.model, f.theta, f.terms);
        return { x: fine, y: fine.map(l.production), name: `${f.kind}`, color: palette[i] };
      }),
    ],
    x: { title: 't (h)' },
    y: { title: 'kin(t)' },
  });
  const conc = grid(0, 20, 101);
  report.chart({
    title: 'Learned vs true drug effect (hyperbolic Emax + network correction)',
    traces: [
      {
        x: conc,
        y: conc.map(trueEffect),
        name: 'truth (sigmoid, Hill 2)',
        color: '#444',
        dash: 'dash',
      },
      { x: conc, y: conc.map(learned.effect), name: 'learned E(c)', color: palette[0] },
      {
        x: conc,
        y: conc.map(learned.hyperbolic),
        name: 'its hyperbolic part',
        color: palette[0],
        dash: 'dot',
      },
    ],
    x: { title: 'c (mg/L)' },
    y: { title: 'E(c)' },
  });
  const weights = grid(40, 120, 81);
  report.chart({
    title: 'Learned vs true covariate effect (the Chebyshev term)',
    traces: [
      { x: weights, y: weights.map(trueKout), name: 'truth', color: '#444', dash: 'dash' },
      { x: weights, y: weights.map(learned.kout), name: 'learned kout(WT)', color: palette[0] },
      {
        x: r.subjects.map((s) => s.weight),
        y: r.subjects.map((s) => learned.kout(s.weight)),
        name: 'subjects',
        mode: 'markers',
        color: palette[0],
      },
    ],
    x: { title: 'WT (kg)' },
    y: { title: 'kout (1/h)' },
  });
  report.chart({
    title: 'Loss during training (Adam, then L-BFGS)',
    traces: r.fits.map((f, i) => ({
      x: f.history.map((_, k) => k),
      y: f.history,
      name: f.kind,
      color: palette[i],
    })),
    x: { title: 'iteration' },
    y: { title: 'sum of squares + ridge', log: true },
  });
  report.heading('The rhythm learned by each kind of approximator');
  report.table({
    columns: [
      'rhythm term',
      'parameters (rhythm)',
      'parameters (θ)',
      'final loss',
      'error: production',
      'error: effect',
      'error: kout',
      'ms per gradient (all subjects)',
      'gradients',
    ],
    rows: r.fits.map((f) => [
      f.terms.rhythm.description ?? f.kind,
      f.rhythmParameters,
      f.theta.length,
      f.loss.toFixed(2),
      percent(f.errors.production),
      percent(f.errors.effect),
      percent(f.errors.kout),
      f.msPerGradient.toFixed(1),
      f.evaluations,
    ]),
  });
  report.text(
    `Expected sum of squares at the noise level: ${(r.subjects.length * OBSERVATION_TIMES.length * r.options.noise ** 2).toFixed(1)} ` +
      `(${r.subjects.length} × ${OBSERVATION_TIMES.length} observations × SD²). The response filters its production ` +
      '(it follows kin with a lag of about 1/kout), so components of the rhythm much faster than a day are hardly seen in the data: ' +
      'an approximator that can represent them (a high-degree polynomial over the whole window) fits the data as well while its rhythm may be far from the truth; ' +
      'the Fourier series cannot, by construction.',
  );
  return report;
}

/** The command line (`--help` prints it). */
export const JOINT_SURROGATES_CLI = {
  script: 'examples/joint-surrogates.ts',
  summary:
    'Fits a PK/PD model holding a Fourier rhythm, a network and a Chebyshev covariate effect\n' +
    'to simulated subjects, then each kind of rhythm in turn; writes OUT/joint-surrogates.html.',
  flags: {
    seed: { kind: 'integer', min: 0, default: 1, value: 'S', help: 'seed of data and weights' },
    iterations: { kind: 'integer', min: 1, default: 400, value: 'N', help: 'L-BFGS iterations' },
    out: { kind: 'string', default: 'reports', value: 'DIR', help: 'where reports go' },
    ...checkpointFlags('OUT/joint-surrogates.checkpoint.json; FILE.<kind>.json per variant'),
  },
} as const;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // Flags are checked (and --help answered) before anything runs.
  const args = exampleArguments(JOINT_SURROGATES_CLI);
  const { out, resume } = args;
  const checkpoint = args.checkpoint ?? join(out, 'joint-surrogates.checkpoint.json');
  await runExample(async () => {
    const { result, interrupted } = await runJointSurrogatesAsync({
      seed: args.seed,
      iterations: args.iterations,
      checkpoint: { path: checkpoint, everySeconds: args['checkpoint-every'] },
      ...(resume ? { resume } : {}),
    });
    // --resume takes the base path: each variant has its own file next to it.
    if (!result)
      exitInterrupted(
        { ...interrupted, checkpointPath: checkpoint },
        'examples/joint-surrogates.ts',
      );
    for (const f of result.fits) {
      console.log(
        `${f.kind.padEnd(9)} rhythm params ${String(f.rhythmParameters).padStart(3)}  loss ${f.loss.toFixed(3)}  ` +
          `errors: production ${percent(f.errors.production)}, effect ${percent(f.errors.effect)}, kout ${percent(f.errors.kout)}  ` +
          `${f.evaluations} gradients, ${f.msPerGradient.toFixed(2)} ms each, ${f.seconds.toFixed(1)} s`,
      );
    }
    console.log(
      `report: ${jointSurrogatesReport(result).write(join(out, 'joint-surrogates.html'))}`,
    );
  });
}
