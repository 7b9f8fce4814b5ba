/**
 * `surrogates`: cost of one forward pass + full pullback (coefficient gradient and input
 * cotangent) of each kind of approximator at the sizes a model term has, in float64:
 *
 * - `chebyshev-1d`: one input, degree 16 (17 coefficients; Clenshaw forward);
 * - `chebyshev-2d`: two inputs, total degree 8 (45 coefficients);
 * - `fourier`: one input, 6 harmonics (13 coefficients);
 * - `net-1-16-16-1`: chain(1, dense(16, 'tanh'), dense(16, 'tanh'), dense(1)), 321 parameters;
 * - `net-1-8-1`: chain(1, dense(8, 'tanh'), dense(1)), 25 parameters — a network of about the
 *   surrogates' size, for reference.
 *
 * Per approximator: `ns_per_call` for one sample (n = 1, `path: 'layer'`: the layer's own
 * `forward`/`vjp` with a cache; expression models call the same generated code through
 * `singleSample()`, which costs the same), and
 * `ns_per_sample` for a batch of 256. For networks whose `singleSample()` kernel exists (≤ 80
 * weights), also `ns_per_call` of that fused kernel (`path: 'fused'`, what an expression model
 * uses for such a network). Each figure is the median over timing blocks of about 2 ms, after a
 * warm-up of a quarter of the budget; the inputs change from call to call (a precomputed cycle
 * of 64 samples, copied into x inside the timed call).
 *
 *   npm run bench -- surrogates [--budget 1000] [--batch 256] [--only fourier,net-1-8-1]
 *   (budget: ms of timing blocks per figure; 11 figures, ~14 s at the default)
 */
import { chain, chebyshev, dense, fourier, Rng, type Layer } from '../src/index.ts';
import type { FusedChain } from '../src/nn/kernels/fused-chain.ts';
import { emit, median, numberOption, referenceNanosecondsPerElement } from './harness.ts';

interface Case {
  /** Identifier for `--only` and the `approximator` field. */
  readonly id: string;
  readonly description: string;
  readonly layer: Layer;
  /** Input i of sample k (inside the surrogate's domain). */
  input(k: number, i: number): number;
  /** The chain's fused single-sample kernel, for networks. */
  readonly fused?: () => FusedChain | null;
}

/** Inputs cycle through this many samples, precomputed so that the timed loop only copies. */
const CYCLE = 64;

function cases(): Case[] {
  // Inside [−1, 1], varying from call to call.
  const inUnit = (k: number, i: number): number => -0.9 + 0.27 * ((k + 3 * i) % 7);
  const net16 = chain(1, dense(16, 'tanh'), dense(16, 'tanh'), dense(1));
  const net8 = chain(1, dense(8, 'tanh'), dense(1));
  return [
    {
      id: 'chebyshev-1d',
      description: 'chebyshev 1 input, degree 16',
      layer: chebyshev({ degree: 16, inputs: 1, domain: [-1, 1] }),
      input: inUnit,
    },
    {
      id: 'chebyshev-2d',
      description: 'chebyshev 2 inputs, total degree 8',
      layer: chebyshev({ degree: 8, inputs: 2, basis: 'total', domain: [-1, 1] }),
      input: inUnit,
    },
    {
      id: 'fourier',
      description: 'fourier 1 input, 6 harmonics',
      layer: fourier({ harmonics: 6, period: 24, inputs: 1 }),
      input: (k) => 0.37 * (k % 97),
    },
    {
      id: 'net-1-16-16-1',
      description: '1-16-16-1 tanh network',
      layer: net16,
      input: inUnit,
      fused: () => net16.singleSample(),
    },
    {
      id: 'net-1-8-1',
      description: '1-8-1 tanh network',
      layer: net8,
      input: inUnit,
      fused: () => net8.singleSample(),
    },
  ];
}

/**
 * Median nanoseconds per call of `fn` over blocks of about 2 ms, timed for `budget` ms (at
 * least 5 blocks) after a warm-up of `budget / 4` ms.
 */
function timePerCall(
  fn: () => void,
  budget: number,
): { ns: number; blocks: number; calls: number } {
  const warm = performance.now();
  let warmCalls = 0;
  while (performance.now() - warm < budget / 4 || warmCalls < 100) {
    for (let i = 0; i < 100; i++) fn();
    warmCalls += 100;
  }
  const estimate = ((performance.now() - warm) * 1e6) / warmCalls;
  const calls = Math.max(1, Math.round(2e6 / Math.max(estimate, 1)));
  const times: number[] = [];
  const started = performance.now();
  while (times.length < 5 || performance.now() - started < budget) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    times.push(((performance.now() - t0) * 1e6) / calls);
  }
  return { ns: median(times), blocks: times.length, calls };
}

export function run(args: string[]): void {
  const budget = numberOption(args, 'budget', 1000);
  const batch = numberOption(args, 'batch', 256);
  const onlyAt = args.indexOf('--only');
  const only = onlyAt < 0 ? null : (args[onlyAt + 1] ?? '').split(',');
  const selected = cases().filter((c) => only === null || only.includes(c.id));
  if (selected.length === 0) {
    throw new Error(`--only matched no approximator; known: ${cases().map((c) => c.id)}`);
  }
  const context = { dtype: 'float64', threads: 1, x_bar: true };
  const reference = referenceNanosecondsPerElement();
  emit({
    bench: 'surrogates',
    metric: 'reference_dot_ns_per_element',
    value: Number(reference.toFixed(4)),
    unit: 'ns',
    note: 'float64 dot product, 65,536 entries',
  });
  for (const c of selected) {
    const layer = c.layer;
    const d = layer.inputSize;
    const out = layer.outputSize;
    const theta = new Float64Array(layer.paramCount);
    layer.init(theta, 0, new Rng(1));
    const grad = new Float64Array(layer.paramCount);
    // CYCLE + batch samples, so that a batch can start anywhere in the first CYCLE.
    const inputs = Float64Array.from({ length: (CYCLE + batch) * d }, (_, q) =>
      c.input(Math.floor(q / d), q % d),
    );
    const fields = {
      approximator: c.id,
      description: c.description,
      params: layer.paramCount,
      ...context,
    };

    // One sample through the layer protocol.
    {
      const cache = layer.createCache('float64', 1);
      const x = new Float64Array(d);
      const y = new Float64Array(out);
      const yBar = new Float64Array(out).fill(1);
      const xBar = new Float64Array(d);
      let k = 0;
      const call = (): void => {
        const at = (k++ & (CYCLE - 1)) * d;
        for (let i = 0; i < d; i++) x[i] = inputs[at + i];
        layer.forward(theta, 0, x, y, cache, 1);
        layer.vjp(theta, 0, cache, yBar, xBar, grad, 0, 1);
      };
      const t = timePerCall(call, budget);
      emit({
        bench: 'surrogates',
        metric: 'ns_per_call',
        value: Math.round(t.ns),
        unit: 'ns',
        ...fields,
        path: 'layer',
        batch: 1,
        blocks: t.blocks,
        calls: t.calls,
        in_reference_units: Math.round(t.ns / reference),
      });
    }

    // The fused single-sample kernel of small networks.
    const fused = c.fused?.() ?? null;
    if (c.fused !== undefined && fused === null) {
      console.error(`${c.id}: no fused single-sample kernel (more than 80 weights)`);
    }
    if (fused !== null) {
      const x = new Float64Array(d);
      const y = new Float64Array(out);
      const yBar = new Float64Array(out).fill(1);
      const xBar = new Float64Array(d);
      let k = 0;
      const call = (): void => {
        const at = (k++ & (CYCLE - 1)) * d;
        for (let i = 0; i < d; i++) x[i] = inputs[at + i];
        fused.forward(theta, 0, x, y);
        fused.vjp(theta, 0, yBar, xBar, grad, 0);
      };
      const t = timePerCall(call, budget);
      emit({
        bench: 'surrogates',
        metric: 'ns_per_call',
        value: Math.round(t.ns),
        unit: 'ns',
        ...fields,
        path: 'fused',
        batch: 1,
        blocks: t.blocks,
        calls: t.calls,
        in_reference_units: Math.round(t.ns / reference),
      });
    }

    // A batch.
    {
      const cache = layer.createCache('float64', batch);
      const x = new Float64Array(batch * d);
      const y = new Float64Array(batch * out);
      const yBar = new Float64Array(batch * out).fill(1);
      const xBar = new Float64Array(batch * d);
      let k = 0;
      const call = (): void => {
        const at = (k++ & (CYCLE - 1)) * d;
        for (let q = 0; q < batch * d; q++) x[q] = inputs[at + q];
        layer.forward(theta, 0, x, y, cache, batch);
        layer.vjp(theta, 0, cache, yBar, xBar, grad, 0, batch);
      };
      const t = timePerCall(call, budget);
      emit({
        bench: 'surrogates',
        metric: 'ns_per_sample',
        value: Math.round(t.ns / batch),
        unit: 'ns',
        ...fields,
        path: 'layer',
        batch,
        blocks: t.blocks,
        calls: t.calls,
      });
    }
  }
}
