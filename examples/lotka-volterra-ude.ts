/**
 * The universal-differential-equation workflow (Rackauckas et al., 2020) on Lotka–Volterra:
 *
 *   1. data: the true system (α = 1.3, β = 0.9, γ = 0.8, δ = 1.8) at t = 0, 0.25, …, 5 with
 *      Gaussian noise of 0.5 % of each state's mean, seeded;
 *   2. model: the known growth α·u₁ and decay −δ·u₂ plus a 2–5–5–5–2 rbf network for the missing
 *      interaction, all in one θ (α and δ frozen);
 *   3. training: Adam, then L-BFGS, gradients by the quadrature adjoint;
 *   4. recovery: sequentially thresholded least squares over polynomials in (u₁, u₂) on the
 *      trained network's output along the fitted trajectory, then a refit of the recovered
 *      equations' coefficients on the data.
 *
 *   node --import tsx examples/lotka-volterra-ude.ts [--seed S] [--iterations N] [--adam-steps N]
 *     [--window-iterations N] [--out DIR] [--checkpoint FILE] [--checkpoint-every S] [--resume FILE]
 *
 * Prints the recovered equations and writes DIR/lotka-volterra-ude.html and the trained
 * parameters (DIR defaults to reports; `--help` lists the flags). Training writes a checkpoint every 60 s and on Ctrl-C or
 * SIGTERM, then exits 130/143 printing the command that resumes it bit-exactly (`--resume`).
 */
import { join } from 'node:path';
import { checkpointFlags, exampleArguments, exitInterrupted, runExample } from './cli.ts';
import { pathToFileURL } from 'node:url';
import {
  adam,
  expressionModel,
  median,
  minimize,
  minimizePhases,
  odeObjective,
  odeProblem,
  polynomialLibrary,
  Report,
  Rng,
  scalar,
  solve,
  sparseRegression,
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
import { saveParameters } from '../src/parameters/parameter-file.ts';
import { type ExpressionModel } from '../models/index.ts';
import { type SparseModel } from '../src/surrogates/index.ts';
import {
  LOTKA_VOLTERRA_TRUTH,
  lotkaVolterraModel,
  lotkaVolterraTrajectory,
  lotkaVolterraUde,
} from '../models/lotka-volterra-ude.ts';

/** Settings of one run (the defaults are the example's). */
export interface LotkaVolterraUdeOptions {
  /** Seed of the noise and of the network's initial weights (default 1). */
  seed?: number;
  /** Noise SD as a fraction of each state's mean (default 0.005). */
  noise?: number;
  /** Adam steps on the first window (default 300) and its learning rate (default 0.01). */
  adamSteps?: number;
  adamLearningRate?: number;
  /**
   * Ends of the growing training windows (default 1, 1.25, …, 5): the fit starts on the data up
   * to the first and extends to the next once L-BFGS has worked on the current one. Fitting all
   * 21 times from the start stalls at a sum of squares of 50–130 for every seed we tried.
   */
  windows?: readonly number[];
  /** L-BFGS iterations per window before the last (default 300). */
  windowIterations?: number;
  /** L-BFGS iterations on the full data (default 1000). */
  finalIterations?: number;
  /** Degree of the polynomial library (default 2) and STLSQ threshold (default 0.2). */
  libraryDegree?: number;
  threshold?: number;
  /** Solver tolerances during training (default 1e-8). */
  tolerance?: number;
  progress?: ProgressSetting;
}

/** One optimisation phase of the training. */
export interface TrainingPhase {
  readonly label: string;
  /** Loss after each iteration (index 0: the start). */
  readonly history: number[];
}

/** What a run produces. */
export interface LotkaVolterraUdeResult {
  readonly model: ExpressionModel;
  readonly theta: Float64Array;
  readonly times: number[];
  /** Noisy data and the noise-free truth (21 × 2, row-major). */
  readonly data: Float64Array;
  readonly truth: Float64Array;
  readonly phases: TrainingPhase[];
  /** Final sum of squared errors against the data. */
  readonly loss: number;
  /** Median wall time of one loss-and-gradient evaluation during training, ms. */
  readonly msPerGradient: number;
  readonly evaluations: number;
  readonly trainingSeconds: number;
  /** Where the network was sampled for the regression: times, states (N × 2) and outputs. */
  readonly sampleTimes: number[];
  readonly sampleStates: Float64Array;
  readonly networkOutputs: Float64Array;
  readonly recovered: SparseModel;
  /** Coefficients of u1·u2 found by STLSQ: −β̂ in du₁ and γ̂ in du₂. */
  readonly beta: number;
  readonly gamma: number;
  /** β and γ after refitting the recovered equations on the data. */
  readonly refitBeta: number;
  readonly refitGamma: number;
  readonly options: Required<Omit<LotkaVolterraUdeOptions, 'progress'>>;
}

const TIMES = Array.from({ length: 21 }, (_, i) => i * 0.25);

/** The data of the example: the true trajectory plus seeded noise of `noise` × each state's mean. */
export function lotkaVolterraData(
  seed: number,
  noise: number,
): { data: Float64Array; truth: Float64Array } {
  const truth = lotkaVolterraTrajectory(TIMES);
  const mean = [0, 0];
  for (let k = 0; k < TIMES.length; k++)
    for (let j = 0; j < 2; j++) mean[j] += truth[2 * k + j] / TIMES.length;
  const rng = new Rng(seed);
  const data = Float64Array.from(truth, (v, i) => v + noise * mean[i % 2] * rng.normal());
  return { data, truth };
}

/** Runs the whole workflow. */
export function runLotkaVolterraUde(options: LotkaVolterraUdeOptions = {}): LotkaVolterraUdeResult {
  const p = prepare(options);
  const started = performance.now();
  const run = minimizePhases(p.theta, p.phases);
  return p.finish(run, (performance.now() - started) / 1000);
}

/**
 * The workflow with training in slices that let the event loop run, so that with `checkpoint`
 * SIGINT or SIGTERM stop it with a checkpoint (`run.reason === 'Interrupted'`, no `result`);
 * `resume` continues from one. θ and the result are bit-identical to {@link runLotkaVolterraUde}.
 */
export async function runLotkaVolterraUdeAsync(
  options: LotkaVolterraUdeOptions & Pick<PhasesOptions, 'checkpoint' | 'resume'> = {},
): Promise<{ run: PhasesResult; result?: LotkaVolterraUdeResult }> {
  const p = prepare(options);
  const started = performance.now();
  const run = await minimizePhasesAsync(p.theta, p.phases, {
    ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}),
    ...(options.resume ? { resume: options.resume } : {}),
  });
  if (run.reason === 'Interrupted') return { run };
  return { run, result: p.finish(run, (performance.now() - started) / 1000) };
}

/** Data, model, θ and the training phases (Adam, then L-BFGS on growing windows). */
function prepare(options: LotkaVolterraUdeOptions) {
  const o = {
    seed: options.seed ?? 1,
    noise: options.noise ?? 0.005,
    adamSteps: options.adamSteps ?? 300,
    adamLearningRate: options.adamLearningRate ?? 0.01,
    windows: options.windows ?? Array.from({ length: 17 }, (_, i) => 1 + i * 0.25),
    windowIterations: options.windowIterations ?? 300,
    finalIterations: options.finalIterations ?? 1000,
    libraryDegree: options.libraryDegree ?? 2,
    threshold: options.threshold ?? 0.2,
    tolerance: options.tolerance ?? 1e-8,
  };
  const progress = options.progress ?? 'auto';
  const { data, truth } = lotkaVolterraData(o.seed, o.noise);
  const model = lotkaVolterraUde();
  const theta = model.initialParameters(o.seed);
  const frozen = model.layout.frozenMask();

  // One objective per window: the data up to its end, sum of squares, quadrature adjoint.
  const gradientTimes: number[] = [];
  let evaluations = 0;
  const windowObjective = (end: number): ValueAndGradient<Float64Array> => {
    const count = TIMES.filter((t) => t <= end + 1e-12).length;
    const objective = odeObjective({
      model,
      u0: LOTKA_VOLTERRA_TRUTH.u0,
      data: { times: TIMES.slice(0, count), values: data.subarray(0, 2 * count) },
      method: 'DP5',
      rtol: o.tolerance,
      atol: o.tolerance,
    });
    const fg = objective.valueAndGradient;
    return (p, grad) => {
      const started = performance.now();
      const value = fg(p, grad);
      gradientTimes.push(performance.now() - started);
      evaluations++;
      return value;
    };
  };

  const windows = [...o.windows];
  if (windows[windows.length - 1] !== TIMES[TIMES.length - 1])
    windows.push(TIMES[TIMES.length - 1]);
  const phases: MinimizePhase<Float64Array>[] = [
    {
      label: `Adam, t ≤ ${windows[0]}`,
      objective: () => windowObjective(windows[0]),
      method: () => adam({ learningRate: o.adamLearningRate }),
      options: { maxIterations: o.adamSteps, frozen, progress },
    },
    ...windows.map((end, w): MinimizePhase<Float64Array> => ({
      label: `L-BFGS, t ≤ ${end}`,
      objective: () => windowObjective(end),
      method: 'lbfgs',
      options: {
        memory: 100,
        maxIterations: w === windows.length - 1 ? o.finalIterations : o.windowIterations,
        gradientTolerance: 1e-10,
        frozen,
        progress,
      },
    })),
  ];
  const finish = (run: PhasesResult, trainingSeconds: number): LotkaVolterraUdeResult =>
    analyse(model, theta, data, truth, o, {
      phases: phases.map((phase, k) => ({ label: phase.label, history: run.histories[k] })),
      // The last phase's final value: the loss at the trained θ.
      loss: run.histories[phases.length - 1].at(-1) ?? NaN,
      msPerGradient: median(gradientTimes),
      evaluations,
      trainingSeconds,
    });
  return { theta, phases, finish };
}

/** Recovery after training: the network's output, STLSQ, and the refit. */
function analyse(
  model: ExpressionModel,
  theta: Float64Array,
  data: Float64Array,
  truth: Float64Array,
  o: LotkaVolterraUdeResult['options'],
  training: Pick<
    LotkaVolterraUdeResult,
    'phases' | 'loss' | 'msPerGradient' | 'evaluations' | 'trainingSeconds'
  >,
): LotkaVolterraUdeResult {
  const { u0 } = LOTKA_VOLTERRA_TRUTH;
  // The network's output along the fitted trajectory: what it learned, where it learned it.
  const sampleTimes = Array.from({ length: 101 }, (_, i) => i * 0.05);
  const fitted = solve(odeProblem({ f: model.f, u0, tspan: [0, 5], p: theta }), 'Vern7', {
    rtol: 1e-10,
    atol: 1e-10,
    saveat: sampleTimes,
  }).assertSuccess();
  const sampleStates = Float64Array.from(fitted.u);
  const networkOutputs = missingTerm(model, theta, sampleStates);
  const recovered = sparseRegression({
    library: polynomialLibrary(['u1', 'u2'], o.libraryDegree),
    inputs: sampleStates,
    targets: networkOutputs,
    outputNames: ['missing du1/dt', 'missing du2/dt'],
    threshold: o.threshold,
  });
  const beta = -recovered.coefficient(0, 'u1*u2');
  const gamma = recovered.coefficient(1, 'u1*u2');
  const refit = refitRecovered(recovered, data, o.tolerance);
  return {
    model,
    theta,
    times: TIMES,
    data,
    truth,
    ...training,
    sampleTimes,
    sampleStates,
    networkOutputs,
    recovered,
    beta,
    gamma,
    refitBeta: refit.beta,
    refitGamma: refit.gamma,
    options: o,
  };
}

/** nn(u) = du/dt − known part, at each row of `states` (N × 2). */
function missingTerm(
  model: ExpressionModel,
  theta: Float64Array,
  states: Float64Array,
): Float64Array {
  const { alpha, delta } = LOTKA_VOLTERRA_TRUTH;
  const out = new Float64Array(states.length);
  const du = new Float64Array(2);
  for (let r = 0; r < states.length / 2; r++) {
    const u = states.subarray(2 * r, 2 * r + 2);
    model.f(du, u, theta, 0);
    out[2 * r] = du[0] - alpha * u[0];
    out[2 * r + 1] = du[1] + delta * u[1];
  }
  return out;
}

/**
 * The recovered equations as a mechanistic model whose coefficients are parameters
 * (`c1_1`, `c1_2`, … per output and term), fitted to the data by L-BFGS from the STLSQ values.
 */
export function recoveredModel(recovered: SparseModel): ExpressionModel {
  const { alpha, delta } = LOTKA_VOLTERRA_TRUTH;
  const parameters: Record<string, number | ReturnType<typeof scalar>> = {
    alpha: scalar(alpha, { frozen: true }),
    delta: scalar(delta, { frozen: true }),
  };
  const sums = recovered.fits.map((fit, o) =>
    fit.active
      .map((j, a) => {
        const name = `c${o + 1}_${a + 1}`;
        parameters[name] = fit.coefficients[j];
        const term = recovered.library.names[j];
        return term === '1' ? name : `${name}*${term}`;
      })
      .join(' + '),
  );
  return expressionModel({
    states: ['u1', 'u2'],
    parameters,
    equations: {
      u1: `alpha*u1${sums[0] ? ` + ${sums[0]}` : ''}`,
      u2: `-delta*u2${sums[1] ? ` + ${sums[1]}` : ''}`,
    },
  });
}

function refitRecovered(
  recovered: SparseModel,
  data: Float64Array,
  tolerance: number,
): { beta: number; gamma: number; model: ExpressionModel; theta: Float64Array } {
  const model = recoveredModel(recovered);
  const theta = model.initialParameters();
  const objective = odeObjective({
    model,
    u0: LOTKA_VOLTERRA_TRUTH.u0,
    data: { times: TIMES, values: data },
    method: 'DP5',
    rtol: tolerance,
    atol: tolerance,
  });
  minimize(objective.valueAndGradient, theta, {
    maxIterations: 200,
    frozen: model.layout.frozenMask(),
    progress: false,
  });
  const coefficient = (output: number): number => {
    const a = recovered.fits[output].active.indexOf(recovered.library.names.indexOf('u1*u2'));
    return a < 0 ? 0 : theta[model.offset(`c${output + 1}_${a + 1}`)];
  };
  return { beta: -coefficient(0), gamma: coefficient(1), model, theta };
}

/** Simulates a model from the true initial state over [0, end] at `times`. */
function simulate(model: ExpressionModel, theta: Float64Array, times: number[]): Float64Array {
  const solution = solve(
    odeProblem({
      f: model.f,
      u0: LOTKA_VOLTERRA_TRUTH.u0,
      tspan: [0, times[times.length - 1]],
      p: theta,
    }),
    'Vern7',
    { rtol: 1e-10, atol: 1e-10, saveat: times, maxSteps: 1e6 },
  );
  // A trajectory that leaves the plot (the network extrapolating badly) ends where it failed.
  const out = new Float64Array(2 * times.length).fill(NaN);
  out.set(solution.u.subarray(0, Math.min(solution.u.length, out.length)));
  return out;
}

/** The HTML report of a run. */
export function lotkaVolterraUdeReport(r: LotkaVolterraUdeResult): Report {
  const { alpha, beta, gamma, delta } = LOTKA_VOLTERRA_TRUTH;
  const report = new Report(
    'Lotka–Volterra as a universal differential equation',
    `2–5–5–5–2 rbf network, Adam then L-BFGS through one θ, quadrature adjoint; seed ${r.options.seed}, noise ${r.options.noise * 100} % of the mean`,
  );
  report.text(
    `Known: du₁/dt = α·u₁ + nn₁(u₁, u₂), du₂/dt = −δ·u₂ + nn₂(u₁, u₂) with α = ${alpha}, δ = ${delta} (frozen in θ). ` +
      `The data come from the full system with β = ${beta}, γ = ${gamma}: the network has to learn −β·u₁·u₂ and γ·u₁·u₂.`,
  );
  report.heading('Recovered equations');
  const refit = recoveredModel(r.recovered);
  report.code(
    [
      ...r.recovered.equations(4),
      '',
      `β̂ = ${r.beta.toPrecision(4)} (true ${beta}, error ${pct(r.beta, beta)}), γ̂ = ${r.gamma.toPrecision(4)} (true ${gamma}, error ${pct(r.gamma, gamma)})`,
      `after refitting the recovered equations on the data: β̂ = ${r.refitBeta.toPrecision(4)} (${pct(r.refitBeta, beta)}), γ̂ = ${r.refitGamma.toPrecision(4)} (${pct(r.refitGamma, gamma)})`,
    ].join('\n'),
  );
  report.text(
    `Sequentially thresholded least squares over the ${r.recovered.library.names.length} monomials of degree ≤ ${r.options.libraryDegree} in (u₁, u₂) ` +
      `(${r.recovered.library.names.join(', ')}), on the network's output at ${r.sampleTimes.length} points of the fitted trajectory; ` +
      `terms contributing less than ${r.options.threshold * 100} % of the output's norm are dropped. ` +
      `R² of the sparse fits: ${r.recovered.fits.map((f) => f.rSquared.toFixed(4)).join(', ')}.`,
  );
  report.table({
    columns: ['quantity', 'value'],
    rows: [
      ['final loss (sum of squares, 42 values)', r.loss],
      ['expected loss at the noise level (42·σ² summed)', noiseLevel(r)],
      ['loss-and-gradient evaluations', r.evaluations],
      ['ms per loss and gradient (median, training)', r.msPerGradient],
      ['training time, s', r.trainingSeconds],
      ['network parameters', r.theta.length - 2],
    ],
  });

  const t = r.times;
  const dense = Array.from({ length: 201 }, (_, i) => i * 0.025);
  const fit = simulate(r.model, r.theta, dense);
  const column = (values: Float64Array, j: number): number[] =>
    Array.from({ length: values.length / 2 }, (_, k) => values[2 * k + j]);
  report.chart({
    title: 'Data and fitted UDE',
    traces: [
      { x: t, y: column(r.data, 0), name: 'u₁ data', mode: 'markers', color: '#1f77b4' },
      { x: t, y: column(r.data, 1), name: 'u₂ data', mode: 'markers', color: '#d62728' },
      { x: dense, y: column(fit, 0), name: 'u₁ UDE', color: '#1f77b4' },
      { x: dense, y: column(fit, 1), name: 'u₂ UDE', color: '#d62728' },
    ],
    x: { title: 't' },
    y: { title: 'state' },
  });

  const lossTraces = [];
  let offset = 0;
  for (const phase of r.phases) {
    lossTraces.push({
      x: phase.history.map((_, i) => offset + i),
      y: phase.history,
      name: phase.label,
    });
    offset += phase.history.length;
  }
  report.chart({
    title: 'Loss during training (each window has its own data, so the loss jumps when it grows)',
    traces: lossTraces,
    x: { title: 'iteration' },
    y: { title: 'sum of squared errors', log: true },
  });

  const product = Array.from(
    { length: r.sampleTimes.length },
    (_, k) => r.sampleStates[2 * k] * r.sampleStates[2 * k + 1],
  );
  report.chart({
    title: 'Learned vs true missing term along the fitted trajectory',
    traces: [
      { x: r.sampleTimes, y: column(r.networkOutputs, 0), name: 'nn₁', color: '#1f77b4' },
      {
        x: r.sampleTimes,
        y: product.map((v) => -beta * v),
        name: '−β·u₁·u₂',
        color: '#1f77b4',
        dash: 'dash',
      },
      { x: r.sampleTimes, y: column(r.networkOutputs, 1), name: 'nn₂', color: '#d62728' },
      {
        x: r.sampleTimes,
        y: product.map((v) => gamma * v),
        name: 'γ·u₁·u₂',
        color: '#d62728',
        dash: 'dash',
      },
    ],
    x: { title: 't' },
    y: { title: 'missing term' },
  });

  // Beyond the data: the truth, the network, and the recovered equations.
  const long = Array.from({ length: 401 }, (_, i) => i * 0.05);
  const truthModel = lotkaVolterraModel();
  const truthLong = simulate(truthModel, truthModel.initialParameters(), long);
  const networkLong = simulate(r.model, r.theta, long);
  const recoveredLong = simulate(refit, refit.initialParameters(), long);
  report.chart({
    title: 'Extrapolation to t = 20 (data end at t = 5): truth, UDE network, recovered equations',
    traces: [
      { x: long, y: column(truthLong, 0), name: 'u₁ truth', color: '#444' },
      { x: long, y: column(networkLong, 0), name: 'u₁ UDE', color: '#1f77b4', dash: 'dot' },
      {
        x: long,
        y: column(recoveredLong, 0),
        name: 'u₁ recovered',
        color: '#2ca02c',
        dash: 'dash',
      },
    ],
    x: { title: 't' },
    y: { title: 'u₁', range: [0, 12] },
  });
  return report;
}

function pct(estimate: number, truth: number): string {
  return `${(((estimate - truth) / truth) * 100).toFixed(1)} %`;
}

function noiseLevel(r: LotkaVolterraUdeResult): number {
  const mean = [0, 0];
  const K = r.times.length;
  for (let k = 0; k < K; k++) for (let j = 0; j < 2; j++) mean[j] += r.truth[2 * k + j] / K;
  return K * (r.options.noise * mean[0]) ** 2 + K * (r.options.noise * mean[1]) ** 2;
}

/** The command line (`--help` prints it). */
export const LOTKA_VOLTERRA_UDE_CLI = {
  script: 'examples/lotka-volterra-ude.ts',
  summary:
    'Trains a Lotka–Volterra universal differential equation (known terms plus a network) on\n' +
    'noisy data, recovers the missing terms as equations and refits them; writes\n' +
    'OUT/lotka-volterra-ude.html and the trained parameters.',
  flags: {
    seed: { kind: 'integer', min: 0, default: 1, value: 'S', help: 'seed of noise and weights' },
    iterations: {
      kind: 'integer',
      min: 1,
      default: 1000,
      value: 'N',
      help: 'L-BFGS iterations on the whole data',
    },
    'adam-steps': { kind: 'integer', min: 1, default: 300, value: 'N', help: 'Adam steps' },
    'window-iterations': {
      kind: 'integer',
      min: 1,
      default: 300,
      value: 'N',
      help: 'L-BFGS iterations per growing window',
    },
    out: { kind: 'string', default: 'reports', value: 'DIR', help: 'where reports go' },
    ...checkpointFlags('OUT/lotka-volterra-ude.checkpoint.json'),
  },
} as const;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // Flags are checked (and --help answered) before anything runs.
  const args = exampleArguments(LOTKA_VOLTERRA_UDE_CLI);
  const { out, resume } = args;
  await runExample(async () => {
    const { run, result } = await runLotkaVolterraUdeAsync({
      seed: args.seed,
      finalIterations: args.iterations,
      adamSteps: args['adam-steps'],
      windowIterations: args['window-iterations'],
      checkpoint: {
        path: args.checkpoint ?? join(out, 'lotka-volterra-ude.checkpoint.json'),
        everySeconds: args['checkpoint-every'],
      },
      ...(resume ? { resume: loadPhasesCheckpoint(resume) } : {}),
    });
    if (!result) exitInterrupted(run, 'examples/lotka-volterra-ude.ts');
    console.log(
      `trained in ${result.trainingSeconds.toFixed(1)} s (${result.evaluations} gradients, ${result.msPerGradient.toFixed(2)} ms each); final loss ${result.loss.toPrecision(4)}`,
    );
    console.log('recovered missing terms:');
    for (const line of result.recovered.equations(4)) console.log(`  ${line}`);
    console.log(
      `β̂ = ${result.beta.toPrecision(4)}, γ̂ = ${result.gamma.toPrecision(4)} (true 0.9, 0.8); refitted on the data: β̂ = ${result.refitBeta.toPrecision(4)}, γ̂ = ${result.refitGamma.toPrecision(4)}`,
    );
    const path = lotkaVolterraUdeReport(result).write(join(out, 'lotka-volterra-ude.html'));
    saveParameters(
      join(out, 'lotka-volterra-ude.parameters.json'),
      result.model.layout,
      result.theta,
    );
    console.log(`report: ${path}`);
  });
}
