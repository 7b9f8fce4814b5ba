/**
 * `gemm`: batched dense forward and pullback at widths 4, 16, 64, 256 (batch 1,024, identity
 * activation, bias on), float32 and float64, on the WebAssembly SIMD kernels and on the
 * TypeScript kernels: `gflops` per case (forward 2·n·w², pullback 4·n·w²: weight gradient and
 * input cotangent), against `machine_limit_gflops` — a generated SIMD loop of 12 independent
 * multiply-adds in registers, the most this engine's vector code can do on one core.
 *
 * `--threads T` (default: the cores available) adds the WebAssembly kernels with the rows split
 * over T threads (`DataParallelModel`), against T times the one-core limit.
 *
 * Writes `reports/gemm.html` (Plotly); `--svg` also writes `docs/images/gemm-gflops.svg`, the
 * chart in docs/performance.md.
 *
 * `--crossover`: times forward + pullback on both paths at small batches (1 … 64) and widths
 * 2, 8, 32 and prints `wasm_speedup` per case; `WASM_MIN_MULTIPLY_ADDS` (kernels/kernel-choice.ts)
 * is the smallest product size from which the WebAssembly path won every case. Given `--threads T`
 * (T > 1) it instead prints `threads_speedup` (one thread's time over T threads') per width and
 * batch with its `multiply_adds`, from which `THREADS_MIN_MULTIPLY_ADDS` was chosen.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableCores, ThreadPool, Report, Rng, type FloatArray } from '../src/index.ts';
import { Arena, DataParallelModel, Dense, wasmFeatures } from '../src/nn/index.ts';
import { ModuleBuilder } from '../src/wasm/emitter.ts';
import { emit, median, numberOption, referenceNanosecondsPerElement } from './harness.ts';

interface Point {
  dtype: DType;
  /** Kernels, with the thread count when above one: `wasm`, `typescript`, `wasm ×2`. */
  kernels: string;
  pass: 'forward' | 'vjp';
  width: number;
  gflops: number;
}

const WIDTHS = [4, 16, 64, 256];
const COLORS: Record<string, string> = {
  'float32 wasm': '#1f77b4',
  'float64 wasm': '#d62728',
  'float32 typescript': '#7fb3d5',
  'float64 typescript': '#f1948a',
  'float32 wasm ×2': '#0b2e59',
  'float64 wasm ×2': '#7b1010',
};

/**
 * The GFLOP/s-against-width chart as a standalone SVG (for docs/performance.md, which cannot
 * embed Plotly): one line per dtype, kernels and pass, the machine limits dashed.
 */
function gflopsSvg(points: Point[], limits: Record<DType, number>, threads: number): string {
  const [w, h, left, bottom, top, right] = [640, 380, 56, 44, 20, 190];
  const yMax =
    Math.ceil(
      Math.max(...Object.values(limits).map((l) => l * threads), ...points.map((p) => p.gflops)) /
        10,
    ) * 10;
  const xAt = (width: number) =>
    left + (Math.log2(width / 4) / Math.log2(256 / 4)) * (w - left - right);
  const yAt = (g: number) => top + (1 - g / yMax) * (h - top - bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
  ];
  for (let g = 0; g <= yMax; g += 10) {
    parts.push(
      `<line x1="${left}" x2="${w - right}" y1="${yAt(g)}" y2="${yAt(g)}" stroke="#eee"/>`,
    );
    parts.push(`<text x="${left - 6}" y="${yAt(g) + 4}" text-anchor="end">${g}</text>`);
  }
  for (const width of WIDTHS)
    parts.push(
      `<text x="${xAt(width)}" y="${h - bottom + 18}" text-anchor="middle">${width}</text>`,
    );
  parts.push(
    `<text x="${(left + w - right) / 2}" y="${h - 6}" text-anchor="middle">layer width (in = out), batch 1,024</text>`,
  );
  parts.push(
    `<text transform="translate(14 ${(top + h - bottom) / 2}) rotate(-90)" text-anchor="middle">GFLOP/s</text>`,
  );
  let legend = top + 4;
  const label = (text: string, color: string, dash: string) => {
    parts.push(
      `<line x1="${w - right + 12}" x2="${w - right + 36}" y1="${legend}" y2="${legend}" stroke="${color}" stroke-width="2" stroke-dasharray="${dash}"/>`,
    );
    parts.push(`<text x="${w - right + 42}" y="${legend + 4}">${text}</text>`);
    legend += 18;
  };
  for (const dtype of ['float32', 'float64'] as const) {
    const color = COLORS[`${dtype} wasm`];
    parts.push(
      `<line x1="${left}" x2="${w - right}" y1="${yAt(limits[dtype])}" y2="${yAt(limits[dtype])}" stroke="${color}" stroke-dasharray="2 4"/>`,
    );
    label(`${dtype} machine limit`, color, '2 4');
    if (threads > 1) {
      const all = limits[dtype] * threads;
      parts.push(
        `<line x1="${left}" x2="${w - right}" y1="${yAt(all)}" y2="${yAt(all)}" stroke="${COLORS[`${dtype} wasm ×2`]}" stroke-dasharray="1 5"/>`,
      );
      label(`${dtype} limit ×${threads}`, COLORS[`${dtype} wasm ×2`], '1 5');
    }
  }
  for (const key of Object.keys(COLORS)) {
    for (const pass of ['forward', 'vjp'] as const) {
      const line = points.filter((p) => `${p.dtype} ${p.kernels}` === key && p.pass === pass);
      if (line.length === 0) continue;
      const dash = pass === 'forward' ? '' : '6 3';
      const d = line
        .map((p, i) => `${i ? 'L' : 'M'}${xAt(p.width).toFixed(1)},${yAt(p.gflops).toFixed(1)}`)
        .join(' ');
      parts.push(
        `<path d="${d}" fill="none" stroke="${COLORS[key]}" stroke-width="2" stroke-dasharray="${dash}"/>`,
      );
      label(`${key} ${pass}`, COLORS[key], dash);
    }
  }
  parts.push('</svg>');
  return parts.join('\n');
}

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

function layerCase(
  width: [number, number],
  n: number,
  dtype: DType,
  kernels: Kernels,
  pool: ThreadPool | null = null,
) {
  const [inp, out] = width;
  const layer = new Dense(inp, out, 'identity');
  const arena = kernels === 'wasm' || pool ? new Arena() : null;
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
  if (pool !== null) {
    // The same layer with its rows split over the pool's threads.
    const split = new DataParallelModel(layer, {
      pool,
      arena: arena!,
      dtype,
      capacity: n,
      kernels,
    });
    return {
      forward: () => split.forward(theta, 0, x, y, split.cache, n),
      vjp: () => split.vjp(theta, 0, split.cache, yBar, xBar, grad, 0, n),
    };
  }
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
  const threads = numberOption(args, 'threads', availableCores());
  const pool = threads > 1 ? new ThreadPool({ threads }) : null;
  const context = { threads, relaxed_simd: features.relaxedSimd };
  if (args.includes('--crossover') && args.includes('--threads') && pool !== null) {
    // Where splitting rows over threads starts to pay: forward + pullback of one layer.
    for (const dtype of ['float32', 'float64'] as const) {
      for (const width of [8, 32, 128]) {
        for (const n of [16, 64, 256, 1024, 4096]) {
          const t = [null, pool].map((p) => {
            const c = layerCase([width, width], n, dtype, 'wasm', p);
            return msPerCall(() => {
              c.forward();
              c.vjp();
            });
          });
          emit({
            bench: 'gemm',
            metric: 'threads_speedup',
            value: Number((t[0] / t[1]).toFixed(3)),
            unit: 'ratio',
            dtype,
            width,
            batch: n,
            multiply_adds: n * width * width,
            ...context,
          });
        }
      }
    }
    pool.close();
    return;
  }
  if (args.includes('--crossover')) {
    pool?.close();
    // One thread: where the WebAssembly kernels start to beat TypeScript.
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
  const points: Point[] = [];
  const limits = { float32: 0, float64: 0 };
  for (const dtype of ['float32', 'float64'] as const) {
    limits[dtype] = machineLimit(dtype);
    emit({
      bench: 'gemm',
      metric: 'machine_limit_gflops',
      value: Number(limits[dtype].toFixed(2)),
      unit: 'GFLOP/s',
      dtype,
      ...context,
      note: '12 independent SIMD multiply-adds in registers, one core',
    });
    for (const width of WIDTHS) {
      const cases = [
        { kernels: 'wasm' as const, pool: null },
        { kernels: 'typescript' as const, pool: null },
        ...(pool ? [{ kernels: 'wasm' as const, pool }] : []),
      ];
      for (const { kernels, pool: on } of cases) {
        const c = layerCase([width, width], n, dtype, kernels, on);
        const forward = msPerCall(c.forward);
        c.forward();
        const vjp = msPerCall(c.vjp);
        const t = on ? threads : 1;
        const common = { unit: 'GFLOP/s', dtype, width, batch: n, kernels, ...context, threads: t };
        const flops = 2 * n * width * width;
        const series = t > 1 ? `${kernels} ×${t}` : kernels;
        points.push({
          dtype,
          kernels: series,
          pass: 'forward',
          width,
          gflops: flops / forward / 1e6,
        });
        points.push({
          dtype,
          kernels: series,
          pass: 'vjp',
          width,
          gflops: (2 * flops) / vjp / 1e6,
        });
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
  const report = new Report(
    'Batched dense products: GFLOP/s against width',
    `batch ${n}; one core, and WebAssembly on ${threads} threads (rows split)`,
  );
  for (const dtype of ['float32', 'float64'] as const) {
    report.chart({
      title: `${dtype}: forward and pullback, WebAssembly SIMD and TypeScript`,
      x: { title: 'width (in = out)', log: true },
      y: { title: 'GFLOP/s' },
      traces: [
        ...['wasm', 'typescript', ...(pool ? [`wasm ×${threads}`] : [])].flatMap((kernels) =>
          (['forward', 'vjp'] as const).map((pass) => {
            const line = points.filter(
              (p) => p.dtype === dtype && p.kernels === kernels && p.pass === pass,
            );
            return {
              x: line.map((p) => p.width),
              y: line.map((p) => p.gflops),
              name: `${kernels} ${pass}`,
              mode: 'lines+markers' as const,
              color: COLORS[`${dtype} ${kernels.replace(/×\d+/, '×2')}`],
              dash: pass === 'forward' ? ('solid' as const) : ('dash' as const),
            };
          }),
        ),
        {
          x: [4, 256],
          y: [limits[dtype], limits[dtype]],
          name: 'machine limit (one core)',
          dash: 'dot',
          color: '#555',
        },
        ...(pool
          ? [
              {
                x: [4, 256],
                y: [limits[dtype] * threads, limits[dtype] * threads],
                name: `machine limit ×${threads}`,
                dash: 'dot' as const,
                color: '#999',
              },
            ]
          : []),
      ],
    });
  }
  report.write('reports/gemm.html');
  if (args.includes('--svg')) {
    mkdirSync('docs/images', { recursive: true });
    writeFileSync('docs/images/gemm-gflops.svg', gflopsSvg(points, limits, threads));
  }
  pool?.close();
  emit({
    bench: 'gemm',
    metric: 'reference_dot_ns_per_element',
    value: Number(referenceNanosecondsPerElement().toFixed(4)),
    unit: 'ns',
  });
}
