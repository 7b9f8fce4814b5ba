// The WebAssembly and TypeScript paths of one dense layer on the same data: the worst error
// (relative to each result's largest entry) over output, parameter gradient and input cotangent.
import { Rng, type FloatArray } from '../../src/index.ts';
import { Dense } from '../../src/nn/index.ts';

type DType = 'float32' | 'float64';

interface Outputs {
  y: FloatArray;
  grad: FloatArray;
  xBar: FloatArray;
}

/** Forward and pullback of one layer on one path. */
function run(
  layer: Dense,
  dtype: DType,
  kernels: 'wasm' | 'typescript',
  theta: FloatArray,
  x: FloatArray,
  yBar: FloatArray,
  n: number,
): Outputs {
  const cache = layer.createCache(dtype, n, { kernels });
  if ((cache.wasm !== null) !== (kernels === 'wasm')) throw new Error(`${kernels} path not taken`);
  const T = dtype === 'float32' ? Float32Array : Float64Array;
  const y = new T(n * layer.outputSize);
  layer.forward(theta, 0, x, y, cache, n);
  const grad = new T(layer.paramCount).fill(0.25); // the pullback accumulates
  const xBar = new T(n * layer.inputSize);
  layer.vjp(theta, 0, cache, yBar, xBar, grad, 0, n);
  return { y, grad, xBar };
}

/** The largest |a − b| relative to the largest |b| (Infinity when a has a non-finite entry). */
export function errorRelativeToLargest(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return Infinity;
  return worst / Math.max(scale, 1e-300);
}

export function compareLayer(
  inputSize: number,
  outputSize: number,
  n: number,
  activation: string,
  bias: boolean,
  dtype: DType,
  seed: number,
): number {
  const layer = new Dense(inputSize, outputSize, activation, { bias });
  const rng = new Rng(seed);
  const T = dtype === 'float32' ? Float32Array : Float64Array;
  const theta = rng.fillNormal(new T(layer.paramCount));
  for (let i = 0; i < theta.length; i++) theta[i] /= Math.sqrt(inputSize);
  const x = rng.fillNormal(new T(n * inputSize));
  const yBar = rng.fillNormal(new T(n * outputSize));
  const a = run(layer, dtype, 'wasm', theta, x, yBar, n);
  const b = run(layer, dtype, 'typescript', theta, x, yBar, n);
  return Math.max(
    errorRelativeToLargest(a.y, b.y),
    errorRelativeToLargest(a.grad, b.grad),
    errorRelativeToLargest(a.xBar, b.xBar),
  );
}
