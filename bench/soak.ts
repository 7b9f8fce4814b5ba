/**
 * `soak`: memory held per unit of work over long runs, after warm-up (target ≈ 0):
 *
 * - `objectives`: `--cycles` (default 1,000) supervised objectives on `--threads` (default 2)
 *   threads, `--rows` (default 1,000) rows of a 4–32–16–4 tanh network, each created, evaluated
 *   once and disposed, on the process-wide pool. `rss_growth` per objective as the library
 *   leaves it (no explicit collection: the threads collect by themselves), then `retained` per
 *   objective (RSS after a full collection of the calling thread: what anything still holds)
 *   and the heap's growth per objective.
 * - `training`: `--epochs` N (default 100,000) full-batch Adam steps of a 1–16–1 tanh network on
 *   64 samples (trainSupervised, its default history limit), run for N and for 2N steps after a
 *   warm-up.
 * - `solve`: a harmonic oscillator over N = `--steps` (default 1,000,000) Tsit5 steps (dtmax
 *   forces the count) with `saveat` only (100 points), solved over N and 2N steps after a
 *   warm-up; the solution is kept alive while measuring, so what it stores counts.
 *
 * Training and solve report growth per 1,000 steps as (growth over 2N − growth over N) / N,
 * which cancels what a run holds whatever its length (its result, a bounded history). Each part
 * prints its time per unit too. `--parts objectives,training,solve` selects parts. Defaults run in
 * about 2–3 minutes on two loaded cores.
 */
import {
  adam,
  chain,
  dense,
  meanSquaredError,
  odeProblem,
  solve,
  supervisedObjective,
  trainSupervised,
} from '../src/index.ts';
import { emit, numberOption } from './harness.ts';

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('soak needs node --expose-gc (use npm run bench)');
  collect();
  collect();
};

/** Lets workers finish what they were sent (drops) and the allocator settle. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 300));

interface Memory {
  rss: number;
  heap: number;
}

function memory(): Memory {
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

/** Memory grown (after a full collection) while `work` ran, its result kept alive. */
function measured<R>(work: () => R): { result: R; ms: number; rss: number; heap: number } {
  gc();
  const start = memory();
  const t0 = performance.now();
  const result = work();
  const ms = performance.now() - t0;
  gc();
  const end = memory();
  return { result, ms, rss: end.rss - start.rss, heap: end.heap - start.heap };
}

/**
 * Growth per unit of work: (growth over 2N units − growth over N) / N, which cancels what a run holds regardless of its length
 * (its result, a bounded history, code the JIT installs).
 */
function emitMarginal(
  part: string,
  per: string,
  units: number,
  once: { rss: number; heap: number },
  twice: { rss: number; heap: number },
  context: Record<string, string | number>,
): void {
  const unit = `B/${per}`;
  const rss = Math.round((twice.rss - once.rss) / units);
  const heap = Math.round((twice.heap - once.heap) / units);
  emit({ bench: 'soak', metric: `${part}_rss_growth`, value: rss, unit, ...context });
  emit({ bench: 'soak', metric: `${part}_heap_growth`, value: heap, unit, ...context });
}

async function objectives(args: readonly string[]): Promise<void> {
  const cycles = numberOption(args, 'cycles', 1000);
  const rows = numberOption(args, 'rows', 1000);
  const threads = numberOption(args, 'threads', 2);
  const x = new Float32Array(rows * 4).map((_, i) => Math.sin(0.37 * i));
  const y = new Float32Array(rows * 4).map((_, i) => Math.cos(0.21 * i));
  let arenaBytes = 0;
  const cycle = (): void => {
    const model = chain(4, dense(32, 'tanh'), dense(16, 'tanh'), dense(4));
    const objective = supervisedObjective({ model, loss: meanSquaredError, x, y, threads });
    if (objective.threads !== threads) {
      throw new Error(`asked for ${threads} threads, got ${objective.threads} (cores?)`);
    }
    const theta = objective.arena!.floats('float32', model.paramCount);
    const grad = objective.arena!.floats('float32', model.paramCount);
    for (let i = 0; i < theta.length; i++) theta[i] = 0.05 * Math.sin(i);
    objective.valueAndGradient(theta, grad);
    arenaBytes = objective.arena!.capacityBytes;
    objective.dispose();
  };
  const warmup = Math.max(10, Math.round(cycles / 20));
  for (let i = 0; i < warmup; i++) cycle();
  await settle();
  gc();
  const start = memory();
  const t0 = performance.now();
  for (let i = 0; i < cycles; i++) cycle();
  const ms = (performance.now() - t0) / cycles;
  await settle();
  const context = { cycles, rows, threads, arena_bytes: arenaBytes };
  emit({
    bench: 'soak',
    metric: 'objective_ms',
    value: Number(ms.toFixed(2)),
    unit: 'ms',
    ...context,
  });
  const unaided = memory();
  emit({
    bench: 'soak',
    metric: 'objective_rss_growth',
    value: Math.round((unaided.rss - start.rss) / cycles),
    unit: 'B/objective',
    ...context,
    note: 'no explicit collection: as the library leaves it',
  });
  gc();
  await settle();
  gc();
  const end = memory();
  for (const [what, grown] of [
    ['rss', end.rss - start.rss],
    ['heap', end.heap - start.heap],
  ] as const) {
    emit({
      bench: 'soak',
      metric: `objective_retained_${what}`,
      value: Math.round(grown / cycles),
      unit: 'B/objective',
      ...context,
      note: 'after a full collection of the calling thread',
    });
  }
}

function training(args: readonly string[]): void {
  const epochs = numberOption(args, 'epochs', 100_000);
  const n = 64;
  const x = new Float64Array(n).map((_, i) => -2 + (4 * i) / (n - 1));
  const y = x.map((v) => Math.sin(v));
  const model = chain(1, dense(16, 'tanh'), dense(1));
  const objective = supervisedObjective({ model, loss: meanSquaredError, x, y, threads: 1 });
  const theta = new Float64Array(model.paramCount).map((_, i) => 0.3 * Math.sin(i + 1));
  const train = (count: number): ReturnType<typeof trainSupervised> =>
    trainSupervised(objective, theta, {
      epochs: count,
      optimizer: adam({ learningRate: 1e-3 }),
      progress: false,
    });
  train(Math.max(1000, Math.round(epochs / 10)));
  const once = measured(() => train(epochs));
  const twice = measured(() => train(2 * epochs));
  const result = twice.result;
  const last = result.history.at(-1);
  const context = {
    epochs,
    samples: n,
    network: '1-16-1 tanh',
    history: result.history.length,
    final_loss: last === undefined ? NaN : Number(last.loss.toPrecision(4)),
    note: 'growth of 2N steps minus growth of N, per N',
  };
  const us = ((twice.ms - once.ms) * 1000) / epochs;
  emit({
    bench: 'soak',
    metric: 'training_us_per_step',
    value: Number(us.toFixed(2)),
    unit: 'µs',
    ...context,
  });
  emitMarginal('training', '1k steps', epochs / 1000, once, twice, context);
}

function longSolve(args: readonly string[]): void {
  const steps = numberOption(args, 'steps', 1_000_000);
  const dt = 0.01;
  const oscillator = (span: number) =>
    odeProblem({
      f: (du, u) => {
        du[0] = u[1];
        du[1] = -u[0];
      },
      u0: [1, 0],
      tspan: [0, span],
    });
  const run = (count: number) => {
    const span = count * dt;
    const saveat = Array.from({ length: 100 }, (_, i) => ((i + 1) * span) / 100);
    const sol = solve(oscillator(span), 'Tsit5', {
      dtmax: dt,
      dt,
      saveat,
      maxSteps: 2 * count,
      rtol: 1e-6,
      atol: 1e-9,
    });
    if (!sol.success) throw new Error(`the soak solve stopped: ${String(sol.retcode)}`);
    return sol;
  };
  run(Math.round(steps / 10));
  const once = measured(() => run(steps));
  const twice = measured(() => run(2 * steps));
  const sol = twice.result;
  const accepted = sol.stats.acceptedSteps / 2;
  const context = {
    steps: accepted,
    method: 'Tsit5',
    saveat: 100,
    error: Number(Math.abs(sol.final[0] - Math.cos(2 * steps * dt)).toExponential(2)),
    note: 'growth of 2N steps minus growth of N, per N',
  };
  const ns = ((twice.ms - once.ms) * 1e6) / accepted;
  emit({
    bench: 'soak',
    metric: 'solve_ns_per_step',
    value: Math.round(ns),
    unit: 'ns',
    ...context,
  });
  emitMarginal('solve', '1k steps', accepted / 1000, once, twice, context);
}

export async function run(args: string[]): Promise<void> {
  const i = args.indexOf('--parts');
  const parts = (i < 0 ? 'objectives,training,solve' : (args[i + 1] ?? '')).split(',');
  for (const part of parts) {
    if (part === 'objectives') await objectives(args);
    else if (part === 'training') training(args);
    else if (part === 'solve') longSolve(args);
    else throw new Error(`--parts takes objectives, training, solve; got ${part}`);
  }
}
