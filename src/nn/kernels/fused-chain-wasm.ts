/**
 * The single-sample chain kernel of `fused-chain.ts` as WebAssembly SIMD (float64x2), for
 * chains too large to unroll in JavaScript (more than `FUSED_CHAIN_MAX_WEIGHTS` weights) — the
 * network term of a universal differential equation, called once per right-hand-side
 * evaluation with one state vector.
 *
 * One module per chain shape, generated from the same stage description:
 *
 *   forward(θ, record)       every stage's values into the record (the input already there)
 *   vjp(θ, grad, record)     the output cotangent (already in the record) back through the
 *                            stages: ∂/∂θ accumulated into grad, x̄ left in the record
 *
 * An affine stage's forward is one dot product per output row (two accumulators along the input,
 * so consecutive multiply-adds do not wait on each other); its pullback walks the rows once,
 * updating the weight-gradient row and the input cotangent (kept in locals) with the same loads.
 * Loops over inputs are unrolled (widths are known), rows are a loop. θ and the gradient are
 * addressed in place when they live in the kernels' arena, else staged with one copy each way.
 */
import { Arena } from '../../wasm/arena.ts';
import { ModuleBuilder, type FunctionBuilder } from '../../wasm/emitter.ts';
import { wasmFeatures } from '../../wasm/features.ts';
import { kernelExports } from '../../wasm/kernel-cache.ts';
import { SIMD_ACTIVATIONS, SimdMath } from '../../wasm/simd-math.ts';
import type { FusedChain, FusedStage } from './fused-chain.ts';

/** Widest stage input the generator unrolls (beyond it the TypeScript kernels run). */
export const WASM_FUSED_MAX_WIDTH = 256;

interface Layout {
  /** Byte offset in the record of each stage's values (stage 0: the input). */
  readonly values: number[];
  /** Byte offset in the record of each stage's cotangent. */
  readonly cotangents: number[];
  readonly widths: number[];
  readonly bytes: number;
}

const padded = (width: number): number => 16 * Math.ceil(width / 2);

function layoutOf(inputSize: number, stages: readonly FusedStage[]): Layout {
  const widths = [inputSize];
  for (const s of stages)
    widths.push(s.kind === 'affine' ? s.outputSize : widths[widths.length - 1]);
  const values: number[] = [];
  const cotangents: number[] = [];
  let at = 0;
  for (const w of widths) {
    values.push(at);
    at += padded(w);
  }
  for (const w of widths) {
    cotangents.push(at);
    at += padded(w);
  }
  return { values, cotangents, widths, bytes: at };
}

/** The module's bytes for a chain shape (exported for tests and inspection). */
export function fusedChainModuleBytes(
  inputSize: number,
  stages: readonly FusedStage[],
  options: { relaxed: boolean; shared: boolean },
): Uint8Array<ArrayBuffer> {
  const layout = layoutOf(inputSize, stages);
  const m = new ModuleBuilder({
    initial: 1,
    maximum: options.shared ? 65536 : undefined,
    shared: options.shared,
  });

  // forward(theta, record)
  m.function('forward', ['i32', 'i32'], [], (f) => {
    const [theta, record] = [0, 1];
    const v = new SimdMath(f, 'float64', options.relaxed);
    stages.forEach((stage, k) => {
      const src = layout.values[k];
      const dst = layout.values[k + 1];
      if (stage.kind === 'activation') {
        const z = v.temp('z');
        const y = v.temp('y');
        for (let j = 0; j < padded(layout.widths[k]) / 16; j++) {
          f.get(record)
            .memory('v128.load', src + 16 * j)
            .set(z);
          v.activation(stage.name, z, y);
          f.get(record)
            .get(y)
            .memory('v128.store', dst + 16 * j);
        }
        return;
      }
      affineForward(f, v, stage, theta, record, src, dst);
    });
  });

  // vjp(theta, grad, record)
  m.function('vjp', ['i32', 'i32', 'i32'], [], (f) => {
    const [theta, grad, record] = [0, 1, 2];
    const v = new SimdMath(f, 'float64', options.relaxed);
    for (let k = stages.length - 1; k >= 0; k--) {
      const stage = stages[k];
      if (stage.kind === 'activation') {
        const z = v.temp('z');
        const y = v.temp('y');
        const d = v.temp('d');
        for (let j = 0; j < padded(layout.widths[k]) / 16; j++) {
          f.get(record)
            .memory('v128.load', layout.values[k] + 16 * j)
            .set(z);
          f.get(record)
            .memory('v128.load', layout.values[k + 1] + 16 * j)
            .set(y);
          v.derivative(stage.name, z, y, d);
          f.get(record);
          f.get(record).memory('v128.load', layout.cotangents[k + 1] + 16 * j);
          f.get(d).op('f64x2.mul');
          f.memory('v128.store', layout.cotangents[k] + 16 * j);
        }
        continue;
      }
      affinePullback(f, v, stage, theta, grad, record, layout, k);
    }
  });
  return m.encode();
}

/** dst[o] = b[o] + Σᵢ W[o, i]·src[i], one row per loop iteration. */
function affineForward(
  f: FunctionBuilder,
  v: SimdMath,
  stage: Extract<FusedStage, { kind: 'affine' }>,
  theta: number,
  record: number,
  src: number,
  dst: number,
): void {
  const { inputSize: m, outputSize: n, offset } = stage;
  const pairs = Math.floor(m / 2);
  const row = f.local('i32'); // address of W[o, 0]
  const out = f.local('i32'); // record + 8·o
  const bias = f.local('i32'); // address of b[o]
  const o = f.local('i32');
  const acc = [f.local('v128'), f.local('v128')];
  const sum = f.local('f64');
  f.get(theta)
    .i32(offset * 8)
    .op('i32.add')
    .set(row);
  f.get(theta)
    .i32((offset + n * m) * 8)
    .op('i32.add')
    .set(bias);
  f.get(record).set(out);
  f.forRange(
    o,
    () => f.i32(0),
    () => f.i32(n),
    1,
    () => {
      for (const a of acc) f.splatConst('f64', 0).set(a);
      for (let j = 0; j < pairs; j++) {
        const a = acc[j % 2];
        f.get(row).memory('v128.load', 16 * j);
        f.get(record).memory('v128.load', src + 16 * j);
        f.get(a);
        v.madd();
        f.set(a);
      }
      f.get(acc[0]).get(acc[1]).op('f64x2.add').set(acc[0]);
      f.get(acc[0]).lane('f64x2.extract_lane', 0);
      f.get(acc[0]).lane('f64x2.extract_lane', 1);
      f.op('f64.add').set(sum);
      if (m % 2 === 1) {
        f.get(sum);
        f.get(row).memory('f64.load', 8 * (m - 1));
        f.get(record).memory('f64.load', src + 8 * (m - 1));
        f.op('f64.mul', 'f64.add').set(sum);
      }
      if (stage.bias) {
        f.get(sum).get(bias).memory('f64.load').op('f64.add').set(sum);
        f.addTo(bias, 8);
      }
      f.get(out).get(sum).memory('f64.store', dst);
      f.addTo(out, 8);
      f.addTo(row, m * 8);
    },
  );
}

/**
 * The pullback of an affine stage: for each output row o with cotangent g = c[o], the weight
 * row's gradient += g·x, the bias gradient += g, and x̄ += g·W[o, ·] (x̄ in locals until the end).
 */
function affinePullback(
  f: FunctionBuilder,
  v: SimdMath,
  stage: Extract<FusedStage, { kind: 'affine' }>,
  theta: number,
  grad: number,
  record: number,
  layout: Layout,
  k: number,
): void {
  const { inputSize: m, outputSize: n, offset } = stage;
  const pairs = Math.floor(m / 2);
  const input = layout.values[k];
  const cotangentIn = layout.cotangents[k];
  const cotangentOut = layout.cotangents[k + 1];
  const row = f.local('i32');
  const gradRow = f.local('i32');
  const gradBias = f.local('i32');
  const at = f.local('i32'); // record + 8·o
  const o = f.local('i32');
  const g = f.local('f64');
  const splat = f.local('v128');
  const xBar = Array.from({ length: pairs }, () => f.local('v128'));
  const xBarTail = f.local('f64');
  for (const x of xBar) f.splatConst('f64', 0).set(x);
  if (m % 2 === 1) f.f64(0).set(xBarTail);
  f.get(theta)
    .i32(offset * 8)
    .op('i32.add')
    .set(row);
  f.get(grad)
    .i32(offset * 8)
    .op('i32.add')
    .set(gradRow);
  f.get(grad)
    .i32((offset + n * m) * 8)
    .op('i32.add')
    .set(gradBias);
  f.get(record).set(at);
  f.forRange(
    o,
    () => f.i32(0),
    () => f.i32(n),
    1,
    () => {
      f.get(at).memory('f64.load', cotangentOut).set(g);
      f.get(g).op('f64x2.splat').set(splat);
      if (stage.bias) {
        f.get(gradBias);
        f.get(gradBias).memory('f64.load').get(g).op('f64.add');
        f.memory('f64.store');
        f.addTo(gradBias, 8);
      }
      for (let j = 0; j < pairs; j++) {
        // Ŵ[o, 2j…2j+1] += g·x[2j…2j+1]
        f.get(gradRow);
        f.get(splat);
        f.get(record).memory('v128.load', input + 16 * j);
        f.get(gradRow).memory('v128.load', 16 * j);
        v.madd();
        f.memory('v128.store', 16 * j);
        // x̄[2j…2j+1] += g·W[o, 2j…2j+1]
        f.get(row).memory('v128.load', 16 * j);
        f.get(splat);
        f.get(xBar[j]);
        v.madd();
        f.set(xBar[j]);
      }
      if (m % 2 === 1) {
        const last = 8 * (m - 1);
        f.get(gradRow);
        f.get(gradRow).memory('f64.load', last);
        f.get(g)
          .get(record)
          .memory('f64.load', input + last);
        f.op('f64.mul', 'f64.add');
        f.memory('f64.store', last);
        f.get(xBarTail);
        f.get(g).get(row).memory('f64.load', last);
        f.op('f64.mul', 'f64.add').set(xBarTail);
      }
      f.addTo(at, 8);
      f.addTo(row, m * 8);
      f.addTo(gradRow, m * 8);
    },
  );
  for (let j = 0; j < pairs; j++)
    f.get(record)
      .get(xBar[j])
      .memory('v128.store', cotangentIn + 16 * j);
  if (m % 2 === 1)
    f.get(record)
      .get(xBarTail)
      .memory('f64.store', cotangentIn + 8 * (m - 1));
}

interface FusedExports {
  forward(theta: number, record: number): void;
  vjp(theta: number, grad: number, record: number): void;
}

/** Whether the WebAssembly kernel can run this chain. */
export function wasmFusedChainSupported(stages: readonly FusedStage[]): boolean {
  if (!wasmFeatures().simd) return false;
  return stages.every((s) =>
    s.kind === 'affine' ? s.inputSize <= WASM_FUSED_MAX_WIDTH : SIMD_ACTIVATIONS.has(s.name),
  );
}

/** A cached subarray view of `array[offset … offset + length)`, remade only when they change. */
class SliceView {
  private array: Float64Array | null = null;
  private offset = -1;
  private view: Float64Array | null = null;
  of(array: Float64Array, offset: number, length: number): Float64Array {
    if (array !== this.array || offset !== this.offset) {
      this.array = array;
      this.offset = offset;
      this.view =
        offset === 0 && array.length === length ? array : array.subarray(offset, offset + length);
    }
    return this.view!;
  }
}

/** The WebAssembly single-sample kernels of one chain, with their record and staging buffers. */
export class WasmFusedChain implements FusedChain {
  private readonly k: FusedExports;
  /** The memory of the record and staging buffers; θ and gradients in it are used in place. */
  readonly arena: Arena;
  private readonly paramCount: number;
  private readonly record: Float64Array;
  private readonly input: Float64Array;
  private readonly output: Float64Array;
  private readonly outputCotangent: Float64Array;
  private readonly inputCotangent: Float64Array;
  private readonly thetaStage: Float64Array;
  private readonly gradStage: Float64Array;
  private readonly thetaView = new SliceView();
  private readonly gradView = new SliceView();
  /** Address of θ as the last forward used it (the pullback reuses it: same θ by protocol). */
  private thetaAddress = 0;

  /**
   * `arena`: where the record and staging buffers go, and where θ and gradients are used in
   * place. Default: an arena of its own, not shared — staging θ and the gradient into a shared
   * memory cost ~2.4 µs per forward + pullback of a 2–32–32–2 network against ~0.35 µs into a
   * non-shared one (measured with `npm run bench -- vjp`). Pass an arena to use θ in place
   * from it.
   */
  constructor(inputSize: number, stages: readonly FusedStage[], arena?: Arena) {
    const layout = layoutOf(inputSize, stages);
    let params = 0;
    for (const s of stages)
      if (s.kind === 'affine')
        params = Math.max(
          params,
          s.offset + s.outputSize * s.inputSize + (s.bias ? s.outputSize : 0),
        );
    this.paramCount = params;
    this.arena =
      arena ??
      new Arena({
        shared: false,
        initialBytes: layout.bytes + 16 * Math.ceil((2 * Math.max(1, params) * 8) / 16) + 64,
      });
    this.record = this.arena.floats('float64', layout.bytes / 8) as Float64Array;
    const view = (byte: number, width: number): Float64Array =>
      this.record.subarray(byte / 8, byte / 8 + width);
    const last = layout.widths.length - 1;
    this.input = view(layout.values[0], inputSize);
    this.output = view(layout.values[last], layout.widths[last]);
    this.outputCotangent = view(layout.cotangents[last], layout.widths[last]);
    this.inputCotangent = view(layout.cotangents[0], inputSize);
    this.thetaStage = this.arena.floats('float64', Math.max(1, params)) as Float64Array;
    this.gradStage = this.arena.floats('float64', Math.max(1, params)) as Float64Array;
    const relaxed = wasmFeatures().relaxedSimd;
    const shared = this.arena.shared;
    this.k = kernelExports<FusedExports>(
      JSON.stringify(['fused-chain', inputSize, stages, relaxed, shared]),
      () => fusedChainModuleBytes(inputSize, stages, { relaxed, shared }),
      this.arena,
    );
  }

  forward(theta: Float64Array, offset: number, x: Float64Array, y: Float64Array): void {
    if (this.arena.owns(theta)) {
      this.thetaAddress = theta.byteOffset + offset * 8;
    } else {
      this.thetaStage.set(this.thetaView.of(theta, offset, this.paramCount));
      this.thetaAddress = this.thetaStage.byteOffset;
    }
    const input = this.input;
    for (let i = 0; i < input.length; i++) input[i] = x[i];
    this.k.forward(this.thetaAddress, this.record.byteOffset);
    const output = this.output;
    for (let o = 0; o < output.length; o++) y[o] = output[o];
  }

  vjp(
    _theta: Float64Array,
    _offset: number,
    yBar: Float64Array,
    xBar: Float64Array | null,
    grad: Float64Array,
    gradOffset: number,
  ): void {
    const c = this.outputCotangent;
    for (let o = 0; o < c.length; o++) c[o] = yBar[o];
    if (this.arena.owns(grad)) {
      this.k.vjp(this.thetaAddress, grad.byteOffset + gradOffset * 8, this.record.byteOffset);
    } else {
      const slice = this.gradView.of(grad, gradOffset, this.paramCount);
      this.gradStage.set(slice);
      this.k.vjp(this.thetaAddress, this.gradStage.byteOffset, this.record.byteOffset);
      slice.set(this.gradStage);
    }
    if (xBar !== null) {
      const xb = this.inputCotangent;
      for (let i = 0; i < xb.length; i++) xBar[i] = xb[i];
    }
  }
}

/** The WebAssembly single-sample kernels of a chain, or null when they cannot run it. */
export function wasmFusedChain(
  inputSize: number,
  stages: readonly FusedStage[],
  arena?: Arena,
): WasmFusedChain | null {
  return wasmFusedChainSupported(stages) ? new WasmFusedChain(inputSize, stages, arena) : null;
}
