/**
 * `mexp`: the matrix-exponential protocol (10,000 + 10,000 matrices, 4–32–16–4 tanh network,
 * full-batch Adam 1e-3, float32) for 10,000 epochs, once per data/initialisation seed
 * (`--seeds 1,2,3` by default, `--epochs N` to change; `--kernels wasm|typescript`, default wasm;
 * `--threads T`, default the cores available). Per seed it reports the median time of
 * one epoch (forward, loss, pullback, Adam step; warm-up epochs and epochs with a test
 * evaluation are left out), the GFLOP/s of the epoch's matrix products at that time (39.7 MFLOP
 * per epoch), and the final training and test MSE; then the medians over seeds. The final MSE
 * depends visibly on the random draw of the data, which is why one seed is not enough.
 *
 * Reference (measured on the earlier reference machine, whose SIMD limit was 41 GFLOP/s per core
 * against 59 on the 2026-12-07 one): PyTorch 1.13 runs the protocol at ~3.4 ms per epoch and reaches a
 * training MSE of ~0.006.
 */
import {
  matrixExponentialNetwork,
  trainMatrixExponential,
} from '../examples/matrix-exponential.ts';
import { availableCores } from '../src/index.ts';
import { Dense, type KernelChoice } from '../src/nn/index.ts';
import { emit, median, numberOption, referenceNanosecondsPerElement } from './harness.ts';

function seedsOption(args: readonly string[]): number[] {
  const i = args.indexOf('--seeds');
  const text = i < 0 ? '1,2,3' : (args[i + 1] ?? '');
  const seeds = text.split(',').map(Number);
  if (seeds.length === 0 || seeds.some((s) => !Number.isSafeInteger(s)))
    throw new Error(`--seeds needs integers like 1,2,3, got ${text}`);
  return seeds;
}

/**
 * Floating-point operations of one training epoch's matrix products over n samples: per dense
 * layer 2·n·in·out for the forward pass and again for the weight gradient, and for the input
 * cotangent of every layer but the first (activations, loss and Adam are not counted).
 */
function productFlopsPerEpoch(n: number): number {
  let flops = 0;
  matrixExponentialNetwork().layers.forEach((layer, l) => {
    if (!(layer instanceof Dense))
      throw new Error(`mexp expects dense layers, got ${layer.description}`);
    const perProduct = 2 * n * layer.inputSize * layer.outputSize;
    flops += (l === 0 ? 2 : 3) * perProduct;
  });
  return flops;
}

export function run(args: string[]): void {
  const epochs = numberOption(args, 'epochs', 10_000);
  const seeds = seedsOption(args);
  const k = args.indexOf('--kernels');
  const kernels = (k < 0 ? 'wasm' : args[k + 1]) as KernelChoice;
  if (kernels !== 'wasm' && kernels !== 'typescript' && kernels !== 'auto')
    throw new Error(`--kernels must be wasm, typescript or auto, got ${kernels}`);
  const threads = numberOption(args, 'threads', availableCores());
  const context = {
    dtype: 'float32',
    threads,
    kernels,
    epochs,
    train: 10_000,
    test: 10_000,
  };
  const summary = { ms: [] as number[], train: [] as number[], test: [] as number[] };
  const flops = productFlopsPerEpoch(context.train);
  const gflops = (ms: number): number => Number((flops / (ms * 1e6)).toFixed(2));
  for (const seed of seeds) {
    const r = trainMatrixExponential({ epochs, seed, progress: false, kernels, threads });
    if (r.threads !== threads) throw new Error(`asked for ${threads} threads, ran ${r.threads}`);
    const ms = r.msPerEpoch;
    summary.ms.push(ms);
    summary.train.push(r.trainMse);
    summary.test.push(r.testMse);
    emit({
      bench: 'mexp',
      metric: 'ms_per_epoch',
      value: Number(ms.toFixed(3)),
      unit: 'ms',
      ...context,
      seed,
      pytorch_reference: 3.4,
    });
    emit({
      bench: 'mexp',
      metric: 'gflops',
      value: gflops(ms),
      unit: 'GFLOP/s',
      ...context,
      seed,
      note: `matrix products only: ${(flops / 1e6).toFixed(2)} MFLOP per epoch`,
    });
    emit({
      bench: 'mexp',
      metric: 'train_mse',
      value: r.trainMse,
      unit: 'mse',
      ...context,
      seed,
      pytorch_reference: 0.006,
    });
    emit({ bench: 'mexp', metric: 'test_mse', value: r.testMse, unit: 'mse', ...context, seed });
  }
  const over = { ...context, seeds: seeds.join(','), statistic: 'median over seeds' };
  const reference = referenceNanosecondsPerElement();
  emit({
    bench: 'mexp',
    metric: 'reference_dot_ns_per_element',
    value: Number(reference.toFixed(4)),
    unit: 'ns',
    note: 'float64 dot product, 65,536 entries, timed after training',
  });
  emit({
    bench: 'mexp',
    metric: 'ms_per_epoch',
    value: Number(median(summary.ms).toFixed(3)),
    unit: 'ms',
    ...over,
    pytorch_reference: 3.4,
  });
  emit({
    bench: 'mexp',
    metric: 'gflops',
    value: gflops(median(summary.ms)),
    unit: 'GFLOP/s',
    ...over,
  });
  emit({
    bench: 'mexp',
    metric: 'train_mse',
    value: median(summary.train),
    unit: 'mse',
    ...over,
    pytorch_reference: 0.006,
  });
  emit({ bench: 'mexp', metric: 'test_mse', value: median(summary.test), unit: 'mse', ...over });
}
