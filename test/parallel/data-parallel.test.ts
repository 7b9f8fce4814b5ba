// Batches split over worker threads: the same losses and gradients as one thread (gradients
// differ only in the order of the final per-thread sum), gradients against central differences,
// bit-identical training for a fixed thread count, 1 and 2 threads within 1e-6 after 100 steps,
// mini-batches, dropout, θ inside and outside the arena, and the errors.
import { afterAll, describe, expect, it } from 'vitest';
import {
  adam,
  availableCores,
  chain,
  dense,
  dropout,
  logitCrossEntropy,
  meanAbsoluteError,
  meanSquaredError,
  parameters,
  Rng,
  sumAbsoluteError,
  sumSquaredError,
  supervisedObjective,
  ThreadPool,
  trainSupervised,
  type FloatArray,
  type Layer,
} from '../../src/index.ts';
import { Arena, DataParallelModel } from '../../src/nn/index.ts';
import {
  chooseThreads,
  THREADS_MIN_MULTIPLY_ADDS,
  THREADS_MIN_ROWS,
} from '../../src/parallel/index.ts';
import { layerFromPlan } from '../../src/nn/layer-plan.ts';
import { centralDifferences, relativeError } from '../helpers/finite-differences.ts';
import { errorRelativeToLargest } from '../helpers/dense-compare.ts';

function problem(n: number, seed: number, dtype: 'float32' | 'float64') {
  const rng = new Rng(seed);
  const T = dtype === 'float32' ? Float32Array : Float64Array;
  return { x: rng.fillNormal(new T(n * 5)), y: rng.fillNormal(new T(n * 3)) };
}

describe('splitting rules', () => {
  it("'auto' splits only large batches of models with a plan; a count is taken as given up to the cores", () => {
    const cores = availableCores();
    expect(chooseThreads('auto', 10_000, 10_000 * 756, true)).toBe(cores);
    expect(chooseThreads(undefined, 10_000, 10_000 * 756, false)).toBe(1);
    expect(chooseThreads('auto', THREADS_MIN_ROWS - 1, 1e9, true)).toBe(1);
    expect(chooseThreads('auto', 1e6, THREADS_MIN_MULTIPLY_ADDS - 1, true)).toBe(1);
    expect(chooseThreads(3, 1, 1, false)).toBe(Math.min(3, cores)); // capped at the cores
    expect(chooseThreads(3, 1, 1, false, 3)).toBe(3);
    expect(() => chooseThreads(1.5, 1, 1, true)).toThrow(/threads/);
  });

  it('rebuild a chain from its plan with the same layout and the same outputs', () => {
    const net = chain(3, dense(6, 'silu', { bias: false }), dropout(0.1), dense(2, 'softplus'));
    const rebuilt = layerFromPlan(net.plan()!);
    expect(rebuilt.description).toBe(net.description);
    expect(rebuilt.paramCount).toBe(net.paramCount);
    const theta = parameters({ net }).initial({ seed: 1 });
    const x = new Float64Array([0.1, -0.4, 2]);
    const [a, b] = [net as Layer, rebuilt].map((m) => {
      const y = new Float64Array(2);
      m.forward(theta, 0, x, y, m.createCache('float64', 1), 1);
      return y;
    });
    expect(b).toEqual(a);
  });
});

describe('data-parallel objectives', () => {
  const pools = [2, 3].map((threads) => new ThreadPool({ threads }));
  afterAll(() => pools.forEach((p) => p.close()));
  const [two, three] = pools;

  // The built-in loss runs on every thread in one round; the same loss under another name is a
  // user's loss, which stays on the calling thread between a forward round and a pullback round.
  const usersLoss = {
    name: 'usersMeanSquaredError',
    reduction: meanSquaredError.reduction,
    targets: meanSquaredError.targets,
    value: meanSquaredError.value,
    valueAndGradient: meanSquaredError.valueAndGradient,
  };

  it('give the one-thread loss and gradient to rounding (both kernels, both dtypes, one and two rounds)', () => {
    for (const dtype of ['float64', 'float32'] as const)
      for (const kernels of ['wasm', 'typescript'] as const)
        for (const n of [1, 2, 3, 301])
          for (const loss of [meanSquaredError, usersLoss]) {
            const net = chain(5, dense(17, 'tanh'), dense(9, 'gelu'), dense(3));
            const { x, y } = problem(n, 3, dtype);
            const theta = parameters({ net }).initial({ seed: 2, dtype });
            const evaluate = (pool?: ThreadPool) => {
              const objective = supervisedObjective({
                model: net,
                loss,
                x,
                y,
                kernels,
                ...(pool ? { pool } : { threads: 1 }),
              });
              const grad =
                dtype === 'float32'
                  ? new Float32Array(theta.length)
                  : new Float64Array(theta.length);
              const value = objective.valueAndGradient(theta, grad);
              objective.dispose();
              return { value, grad, threads: objective.threads };
            };
            const one = evaluate();
            expect(one.threads).toBe(1);
            for (const pool of [two, three]) {
              const many = evaluate(pool);
              expect(many.threads).toBe(pool.threads);
              const what = `${dtype} ${kernels} n=${n} threads=${pool.threads} ${loss.name}`;
              // Rows are computed alike on any thread, except that a share of one row takes the
              // single-sample kernels, which round differently from the batched ones. The loss
              // on threads adds per-thread sums, so it differs from one thread's in rounding.
              expect(Math.abs(many.value - one.value) / one.value, what).toBeLessThan(
                dtype === 'float64' ? 1e-14 : 1e-6,
              );
              if (n > 3 && loss === usersLoss) expect(many.value, what).toBe(one.value);
              expect(errorRelativeToLargest(many.grad, one.grad), what).toBeLessThan(
                dtype === 'float64' ? 1e-13 : 1e-5,
              );
            }
          }
  });

  it('evaluate every built-in loss on the threads, labels included, like one thread', () => {
    // Sums and means, values and labels; full batches, chunks (batchSize) and mini-batches.
    const n = 203;
    const rng = new Rng(21);
    const x = rng.fillNormal(new Float64Array(n * 5));
    const values = rng.fillNormal(new Float64Array(n * 3));
    const labels = Array.from({ length: n }, (_, s) => s % 3);
    const net = chain(5, dense(11, 'tanh'), dense(3));
    const theta = parameters({ net }).initial({ seed: 6 }) as Float64Array;
    const cases = [
      { loss: meanSquaredError, y: values },
      { loss: sumSquaredError, y: values },
      { loss: meanAbsoluteError, y: values },
      { loss: sumAbsoluteError, y: values },
      { loss: logitCrossEntropy, y: labels },
    ] as const;
    const order = new Int32Array(n).map((_, i) => (i * 37) % n);
    for (const { loss, y } of cases)
      for (const batchSize of [undefined, 64]) {
        const run = (threads: ThreadPool | 1) => {
          const objective = supervisedObjective({
            model: net,
            loss: loss as typeof meanSquaredError,
            x,
            y: y as Float64Array,
            ...(batchSize ? { batchSize } : {}),
            ...(threads === 1 ? { threads: 1 } : { pool: threads }),
          });
          const grad = new Float64Array(theta.length);
          const value = objective.valueAndGradient(theta, grad);
          const miniGrad = new Float64Array(theta.length);
          const mini = objective.batchValueAndGradient(theta, miniGrad, order, 5, 60);
          objective.dispose();
          return { value, grad, mini, miniGrad };
        };
        const one = run(1);
        const what = `${loss.name} batchSize ${batchSize ?? 'all'}`;
        for (const pool of [two, three]) {
          const many = run(pool);
          expect(Math.abs(many.value - one.value) / one.value, what).toBeLessThan(1e-14);
          expect(errorRelativeToLargest(many.grad, one.grad), what).toBeLessThan(1e-13);
          expect(Math.abs(many.mini - one.mini) / one.mini, what).toBeLessThan(1e-14);
          expect(errorRelativeToLargest(many.miniGrad, one.miniGrad), what).toBeLessThan(1e-13);
          // The same thread count repeats its bits.
          const again = run(pool);
          expect(again.value, what).toBe(many.value);
          expect(again.grad, what).toEqual(many.grad);
        }
      }
  });

  it('refuse targets of the wrong type for the one-round evaluation, naming the loss', () => {
    const net = chain(2, dense(3));
    const arena = new Arena({ shared: true });
    const model = new DataParallelModel(net, {
      pool: two,
      arena,
      dtype: 'float64',
      capacity: 8,
      loss: logitCrossEntropy as never,
    });
    const theta = parameters({ net }).initial({ seed: 1 });
    const [x, y, yBar] = [16, 24, 24].map((k) => arena.floats('float64', k));
    const grad = new Float64Array(theta.length);
    const out = new Float64Array(1);
    const floatLabels = arena.floats('float64', 8);
    expect(() =>
      model.lossAndGradient(theta, 0, x, floatLabels, y, yBar, grad, 0, 8, 8, out, 0),
    ).toThrow(/int32 labels for logitCrossEntropy/);
    const labels = arena.ints(8);
    for (let s = 0; s < 8; s++) labels[s] = s % 3;
    model.lossAndGradient(theta, 0, x, labels, y, yBar, grad, 0, 8, 8, out, 0);
    expect(out[0]).toBeCloseTo(Math.log(3), 12); // x = 0: equal logits
    model.dispose();
  });

  it('give gradients that match central differences on two threads (float64)', () => {
    const net = chain(5, dense(13, 'tanh'), dense(7, 'sigmoid'), dense(3));
    const { x, y } = problem(64, 8, 'float64');
    const objective = supervisedObjective({ model: net, loss: meanSquaredError, x, y, pool: two });
    const theta = parameters({ net }).initial({ seed: 5 }) as Float64Array;
    const grad = new Float64Array(theta.length);
    objective.valueAndGradient(theta, grad);
    const fd = centralDifferences(() => objective.value(theta), theta);
    expect(relativeError(grad, fd)).toBeLessThan(1e-7);
    objective.dispose();
  });

  const train = (
    threads: ThreadPool | 1,
    dtype: 'float32' | 'float64',
    options: { batchSize?: number; dropout?: boolean; thetaInArena?: boolean } = {},
  ): FloatArray => {
    const net = options.dropout
      ? chain(5, dense(24, 'tanh'), dropout(0.2), dense(3))
      : chain(5, dense(24, 'tanh'), dense(16, 'silu'), dense(3));
    const { x, y } = problem(257, 9, dtype);
    const objective = supervisedObjective({
      model: net,
      loss: meanSquaredError,
      x,
      y,
      ...(threads === 1 ? { threads: 1 } : { pool: threads }),
    });
    let theta = parameters({ net }).initial({ seed: 4, dtype });
    if (options.thetaInArena) {
      const inArena = objective.arena!.floats(dtype, theta.length);
      inArena.set(theta);
      theta = inArena;
    }
    trainSupervised(objective, theta, {
      epochs: options.batchSize ? 12 : 100,
      optimizer: adam({ learningRate: 3e-3 }),
      progress: false,
      seed: 11,
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    });
    objective.dispose();
    return Float64Array.from(theta);
  };

  it('train to bit-identical θ with the same thread count, and 1 vs 2 threads agree within 1e-6', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const twoA = train(two, dtype);
      expect(train(two, dtype, { thetaInArena: true }), dtype).toEqual(twoA);
      const one = train(1, dtype);
      expect(twoA).not.toEqual(new Float64Array(twoA.length));
      // Measured: 6.6e-16 (float64) and 2.6e-7 (float32) after 100 Adam steps.
      expect(errorRelativeToLargest(twoA, one), dtype).toBeLessThan(
        dtype === 'float64' ? 1e-12 : 1e-6,
      );
    }
  });

  it('split shuffled mini-batches and dropout the same way every run', () => {
    const mini = train(two, 'float64', { batchSize: 40 });
    expect(train(two, 'float64', { batchSize: 40 })).toEqual(mini);
    expect(errorRelativeToLargest(mini, train(1, 'float64', { batchSize: 40 }))).toBeLessThan(
      1e-10,
    );
    const dropped = train(two, 'float64', { dropout: true });
    expect(train(two, 'float64', { dropout: true })).toEqual(dropped);
  });

  it('run with threads: 1 without a worker, and explain what cannot be split', () => {
    const net = chain(5, dense(4, 'tanh'), dense(3));
    const { x, y } = problem(10, 1, 'float64');
    // 'auto' keeps a tiny problem on one thread.
    expect(supervisedObjective({ model: net, loss: meanSquaredError, x, y }).threads).toBe(1);
    const opaque = {
      ...net,
      description: 'a layer without a plan',
      plan: undefined,
      createCache: net.createCache.bind(net),
      forward: net.forward.bind(net),
      vjp: net.vjp.bind(net),
      init: net.init.bind(net),
    };
    expect(() =>
      supervisedObjective({ model: opaque, loss: meanSquaredError, x, y, pool: two }),
    ).toThrow(/a layer without a plan cannot run on several threads .*use threads: 1/);
    expect(() =>
      supervisedObjective({ model: net, loss: meanSquaredError, x, y, threads: 0 }),
    ).toThrow(/threads/);
  });
});
