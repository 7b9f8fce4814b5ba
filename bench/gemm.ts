/**
 * `gemm`: batched dense forward and pullback at widths 4, 16, 64, 256 (batch 1,024, identity
 * activation, bias on), float32 and float64, on the WebAssembly SIMD kernels and on the
 * TypeScript kernels: `gflops` per case (forward 2·n·w², pullback 4·n·w²: weight gradient and
 * input cotangent), against `machine_limit_gflops` — a generated SIMD loop of 12 independent
 * multiply-adds in registers, the most this engine's vector code can do on one core.
 *
 * `--crossover`: times forward + pullback on both paths at small batches (1 … 64) and widths
 * 2, 8, 32 and prints `wasm_speedup` per case; `WASM_MIN_BATCH` (kernels/kernel-choice.ts) is
 * the smallest batch from which the WebAssembly path wins at every width.
 */
import { Arena, Dense, ModuleBuilder, Rng, wasmFeatures, type FloatArray } from '../src/index.ts';
import { emit, median, referenceNanosecondsPerElement } from './harness.ts';

type DType = 'float32' | 'float64';
type Kernels = 'wasm' | 'typescript';

/** Median milliseconds per call of fn, over repetitions of at least ~10 ms each. */
function msPerCall(fn: () => void): number {
  const start = performance.now();
  let calls = 0;
  while (performance.now() - start < 30 || calls < 3) {
    fn();
    calls++;
  }
  const perRep = Math.max(1, Math.round((calls * 10) / (performance.now() - start)));
  const times: number[] = [];
  for (let r = 0; r < 15; r++) {
    const t0 = performance.now();
    for (let i = 0; i < perRep; i++) fn();
    times.push((performance.now() - t0) / perRep);
  }
  return median(times);
}

function layerCase(width: [number, number], n: number, dtype: DType, kernels: Kernels) {
  const [inp, out] = width;
  const layer = new Dense(inp, out, 'identity');
  const arena = kernels === 'wasm' ? new Arena() : null;
  const alloc = (length: number): FloatArray =>
    arena
      ? arena.floats(dtype, length)
      : dtype === 'float32'
        ? new Float32Array(length)
        : new Float64Array(length);
  const cache = layer.createCache(dtype, n, { kernels, ...(arena ? { allocator: arena } : {}) });
  const rng = new Rng(inp * 1000 + out);
  const fill = (a: FloatArray) => rng.fillNormal(a);
  const theta = fill(alloc(layer.paramCount));
  const x = fill(alloc(n * inp));
  const y = alloc(n * out);
  const yBar = fill(alloc(n * out));
  const xBar = alloc(n * inp);
  const grad = alloc(layer.paramCount);
  return {
    forward: () => layer.forward(theta, 0, x, y, cache, n),
    vjp: () => layer.vjp(theta, 0, cache, yBar, xBar, grad, 0, n),
  };
}

/** GFLOP/s of a generated loop of 12 independent vector multiply-adds (no memory traffic). */
function machineLimit(dtype: DType): number {
  const shape = dtype === 'float32' ? 'f32x4' : 'f64x2';
  const lanes = dtype === 'float32' ? 4 : 2;
  const m = new ModuleBuilder({ initial: 1, maximum: 1, shared: false });
  const relaxed = wasmFeatures().relaxedSimd;
  m.function('peak', ['i32'], [], (f) => {
    const acc = Array.from({ length: 12 }, () => f.local('v128'));
    const i = f.local('i32');
    const scalar = dtype === 'float32' ? 'f32' : 'f64';
    acc.forEach((a, k) => f.splatConst(scalar, 1 + k * 1e-3).set(a));
    f.forRange(
      i,
      () => f.i32(0),
      () => f.get(0),
      1,
      () => {
        for (const a of acc) {
          f.get(a).splatConst(scalar, 0.999999).splatConst(scalar, 1e-7);
          if (relaxed) f.op(`${shape}.relaxed_madd`);
          else f.op(`${shape}.mul`).op(`${shape}.add`);
          f.set(a);
        }
      },
    );
    // Keep the result alive: store lane sums at address 0.
    f.i32(0).get(acc[0]);
    for (const a of acc.slice(1)) f.get(a).op(`${shape}.add`);
    f.memory('v128.store');
  });
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
  const peak = new WebAssembly.Instance(new WebAssembly.Module(m.encode()), {
    env: { memory },
  }).exports.peak as (n: number) => void;
  const iterations = 200_000;
  const ms = msPerCall(() => peak(iterations));
  return (iterations * 12 * lanes * 2) / ms / 1e6;
}

export function run(args: string[]): void {
  const features = wasmFeatures();
  const context = { threads: 1, relaxed_simd: features.relaxedSimd };
  if (args.includes('--crossover')) {
    for (const dtype of ['float64', 'float32'] as const) {
      for (const width of [2, 8, 32]) {
        for (const n of [1, 2, 4, 8, 16, 32, 64]) {
          const t = (['wasm', 'typescript'] as const).map((k) => {
            const c = layerCase([width, width], n, dtype, k);
            return msPerCall(() => {
              c.forward();
              c.vjp();
            });
          });
          emit({
            bench: 'gemm',
            metric: 'wasm_speedup',
            value: Number((t[1] / t[0]).toFixed(3)),
            unit: 'ratio',
            dtype,
            width,
            batch: n,
            ...context,
          });
        }
      }
    }
    return;
  }
  const n = 1024;
  for (const dtype of ['float32', 'float64'] as const) {
    emit({
      bench: 'gemm',
      metric: 'machine_limit_gflops',
      value: Number(machineLimit(dtype).toFixed(2)),
      unit: 'GFLOP/s',
      dtype,
      ...context,
      note: '12 independent SIMD multiply-adds in registers, one core',
    });
    for (const width of [4, 16, 64, 256]) {
      for (const kernels of ['wasm', 'typescript'] as const) {
        const c = layerCase([width, width], n, dtype, kernels);
        const forward = msPerCall(c.forward);
        c.forward();
        const vjp = msPerCall(c.vjp);
        const common = { unit: 'GFLOP/s', dtype, width, batch: n, kernels, ...context };
        const flops = 2 * n * width * width;
        emit({
          bench: 'gemm',
          metric: 'gflops',
          value: Number((flops / forward / 1e6).toFixed(2)),
          pass: 'forward',
          ...common,
        });
        emit({
          bench: 'gemm',
          metric: 'gflops',
          value: Number(((2 * flops) / vjp / 1e6).toFixed(2)),
          pass: 'vjp',
          ...common,
        });
      }
    }
  }
  emit({
    bench: 'gemm',
    metric: 'reference_dot_ns_per_element',
    value: Number(referenceNanosecondsPerElement().toFixed(4)),
    unit: 'ns',
  });
}
