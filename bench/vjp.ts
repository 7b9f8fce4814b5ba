/**
 * `vjp`: one-sample forward + full pullback (parameter gradient and input cotangent) of a
 * 2–32–32–2 tanh network in float64 — the ODE right-hand-side case. Reports the median time per
 * call and the young-generation growth per call over windows of 50,000 and 100,000 calls (target: 0 bytes).
 * The default path for this chain is the WebAssembly single-sample kernel (θ and gradient staged
 * by copies); `typescript_layers_ns_per_call` and `wasm_theta_in_arena_ns_per_call` time the
 * per-layer TypeScript kernels and the kernel with θ and gradient in its arena.
 */
import { chain, dense, Rng } from '../src/index.ts';
import { Arena } from '../src/nn/index.ts';
import { fusedChain } from '../src/nn/kernels/fused-chain.ts';
import {
  allocatingControl,
  bytesAllocatedPerCall,
  emit,
  nanosecondsPerCall,
  numberOption,
  referenceNanosecondsPerElement,
} from './harness.ts';

export async function run(args: string[]): Promise<void> {
  const calls = numberOption(args, 'calls', 20_000);
  const repetitions = numberOption(args, 'repetitions', 31);
  const net = chain(2, dense(32, 'tanh'), dense(32, 'tanh'), dense(2));
  const theta = new Float64Array(net.paramCount);
  net.init(theta, 0, new Rng(1));
  const grad = new Float64Array(net.paramCount);
  const ws = net.workspace();
  const x = new Float64Array([0.3, -0.7]);
  const y = new Float64Array(2);
  const yBar = new Float64Array([1, -0.5]);
  const xBar = new Float64Array(2);
  let i = 0;
  const call = (): void => {
    x[0] = 0.1 * (i++ % 7);
    net.forward(theta, 0, x, y, ws, 1);
    net.vjp(theta, 0, ws, yBar, xBar, grad, 0, 1);
  };
  const context = { network: '2-32-32-2 tanh', dtype: 'float64', batch: 1, threads: 1 };
  const reference = referenceNanosecondsPerElement();
  const ns = nanosecondsPerCall(call, calls, repetitions);
  emit({
    bench: 'vjp',
    metric: 'ns_per_call',
    value: Math.round(ns),
    unit: 'ns',
    ...context,
    repetitions,
    calls,
  });
  // The machine's speed drifts; the same run's reference loop gives a steadier ratio.
  emit({
    bench: 'vjp',
    metric: 'reference_dot_ns_per_element',
    value: Number(reference.toFixed(4)),
    unit: 'ns',
    note: 'float64 dot product, 65,536 entries',
  });
  emit({
    bench: 'vjp',
    metric: 'ns_per_call_in_reference_units',
    value: Math.round(ns / reference),
    unit: 'dot elements',
  });
  const measured = 50_000; // windows of 50,000 and 100,000 calls
  emit({
    bench: 'vjp',
    metric: 'bytes_allocated_per_call',
    value: await bytesAllocatedPerCall(call, measured),
    unit: 'bytes',
    ...context,
    calls: measured,
  });
  // Calibration: the same measurement must see the allocation of one small array per call.
  emit({
    bench: 'vjp',
    metric: 'calibration_bytes_per_allocating_call',
    value: await bytesAllocatedPerCall(allocatingControl, measured),
    unit: 'bytes',
    note: 'one escaping new Float64Array(2) per call',
    calls: measured,
  });
  // The same call on the per-layer TypeScript kernels, and with θ and the gradient allocated in
  // the single-sample kernels' arena (no staging copies), alternating with the default path.
  const typescriptWs = net.workspace({ kernels: 'typescript' });
  const arena = new Arena({ shared: false, initialBytes: 1 << 20 });
  const arenaWs = net.workspace({ allocator: arena });
  const arenaTheta = arena.floats('float64', net.paramCount) as Float64Array;
  arenaTheta.set(theta);
  const arenaGrad = arena.floats('float64', net.paramCount) as Float64Array;
  const variants: Record<string, () => void> = {
    typescript_layers: () => {
      x[0] = 0.1 * (i++ % 7);
      net.forward(theta, 0, x, y, typescriptWs, 1);
      net.vjp(theta, 0, typescriptWs, yBar, xBar, grad, 0, 1);
    },
    wasm_theta_in_arena: () => {
      x[0] = 0.1 * (i++ % 7);
      net.forward(arenaTheta, 0, x, y, arenaWs, 1);
      net.vjp(arenaTheta, 0, arenaWs, yBar, xBar, arenaGrad, 0, 1);
    },
  };
  for (const [name, fn] of Object.entries(variants)) {
    emit({
      bench: 'vjp',
      metric: `${name}_ns_per_call`,
      value: Math.round(nanosecondsPerCall(fn, calls, repetitions)),
      unit: 'ns',
      ...context,
      default_path: ws.single === null ? 'typescript layers' : 'wasm single-sample',
    });
  }
  fusedComparison(calls, repetitions);
}

/**
 * The fused single-sample kernel (`chain.singleSample()`, what expression models call) against
 * the per-layer path, forward + pullback, for the shapes docs/networks.md quotes: the ratio
 * layered/fused is > 1 where fusing pays; above 80 weights none is generated.
 */
function fusedComparison(calls: number, repetitions: number): void {
  const shapes: [number[], string][] = [
    [[2, 5, 5, 5, 2], 'rbf'],
    [[2, 5, 5, 5, 2], 'tanh'],
    [[2, 8, 8, 2], 'tanh'],
    [[2, 10, 10, 2], 'tanh'],
    [[2, 16, 16, 2], 'tanh'],
  ];
  for (const [widths, act] of shapes) {
    const items = widths.slice(1).map((w, k) => dense(w, k < widths.length - 2 ? act : 'identity'));
    const net = chain(widths[0], ...items);
    const theta = new Float64Array(net.paramCount);
    net.init(theta, 0, new Rng(1));
    const grad = new Float64Array(net.paramCount);
    const x = new Float64Array(widths[0]).fill(0.3);
    const y = new Float64Array(net.outputSize);
    const yBar = new Float64Array(net.outputSize).fill(1);
    const xBar = new Float64Array(widths[0]);
    const ws = net.workspace();
    let i = 0;
    const layered = nanosecondsPerCall(
      () => {
        x[0] = 0.1 * (i++ % 7);
        net.forward(theta, 0, x, y, ws, 1);
        net.vjp(theta, 0, ws, yBar, xBar, grad, 0, 1);
      },
      calls,
      repetitions,
    );
    // Over the fusion limit there is no fused kernel: time the unrolled code anyway, to show why.
    const stages = net.fusedStages()!;
    const fused = fusedChain(widths[0], stages, Infinity)!;
    const fusedNs = nanosecondsPerCall(
      () => {
        x[0] = 0.1 * (i++ % 7);
        fused.forward(theta, 0, x, y);
        fused.vjp(theta, 0, yBar, xBar, grad, 0);
      },
      calls,
      repetitions,
    );
    let weights = 0;
    for (let k = 1; k < widths.length; k++) weights += widths[k - 1] * widths[k];
    const context = {
      network: `${widths.join('-')} ${act}`,
      weights,
      fused_by_default: net.singleSample() !== null,
      dtype: 'float64',
      batch: 1,
    };
    emit({
      bench: 'vjp',
      metric: 'layered_ns_per_call',
      value: Math.round(layered),
      unit: 'ns',
      ...context,
    });
    emit({
      bench: 'vjp',
      metric: 'fused_ns_per_call',
      value: Math.round(fusedNs),
      unit: 'ns',
      ...context,
    });
    emit({
      bench: 'vjp',
      metric: 'layered_over_fused',
      value: +(layered / fusedNs).toFixed(2),
      unit: 'ratio',
      ...context,
    });
  }
}
