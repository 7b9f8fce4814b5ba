/**
 * The program of the bundling test (test/parallel/bundle.test.ts), bundled with esbuild beside
 * the worker entry: evaluates a small network's loss and gradient on `threads` threads (argv[2])
 * and on one, and prints one JSON line — the two values, the largest gradient difference, the
 * threads used, and how long the threaded evaluation took (ms), or the error it failed with.
 */
import { chain, dense, meanSquaredError, supervisedObjective } from '../../src/index.ts';

const threads = Number(process.argv[2] ?? 2);
const rows = 64;
const x = new Float64Array(rows * 3).map((_, i) => Math.sin(i));
const y = new Float64Array(rows * 2).map((_, i) => Math.cos(i));

function evaluate(t: number): { value: number; grad: Float64Array; threads: number } {
  const model = chain(3, dense(8, 'tanh'), dense(2));
  const objective = supervisedObjective({ model, loss: meanSquaredError, x, y, threads: t });
  const theta = objective.arena!.floats('float64', model.paramCount);
  const grad = objective.arena!.floats('float64', model.paramCount);
  for (let i = 0; i < theta.length; i++) theta[i] = 0.1 * Math.sin(i + 1);
  const value = objective.valueAndGradient(theta, grad);
  const result = { value, grad: Float64Array.from(grad), threads: objective.threads };
  objective.dispose();
  return result;
}

const t0 = performance.now();
try {
  const threaded = evaluate(threads);
  const ms = performance.now() - t0;
  const one = evaluate(1);
  let gradDiff = 0;
  for (let i = 0; i < one.grad.length; i++) {
    gradDiff = Math.max(gradDiff, Math.abs(one.grad[i] - threaded.grad[i]));
  }
  console.log(
    JSON.stringify({
      threads: threaded.threads,
      value: threaded.value,
      one: one.value,
      gradDiff,
      ms,
    }),
  );
} catch (error) {
  const ms = performance.now() - t0;
  console.log(
    JSON.stringify({
      error: (error as Error).message,
      code: (error as { code?: string }).code,
      ms,
    }),
  );
}
process.exit(0);
