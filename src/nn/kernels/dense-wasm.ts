/**
 * WebAssembly SIMD kernels for one dense layer shape, generated at construction from the
 * product template (`wasm/simd-gemm.ts`) and the SIMD activations (`wasm/simd-math.ts`):
 *
 *   forward     transposes W into scratch, then Y = f(X·Wᵀ + b) with bias and activation fused
 *               into the tile stores (Z stored too when f′ needs it)
 *   backward    Z̄ = Ȳ ⊙ f′, and the bias gradient as column sums of Z̄
 *   weightGrad  W̄ += Z̄ᵀ·X   (reduction over samples, chunked; formed transposed for narrow inputs)
 *   inputGrad   X̄  = Z̄·W
 *
 * Each is one exported function of a module specialised to (in, out, bias, activation, dtype,
 * relaxed SIMD, shared memory); the module is compiled once per shape and instantiated once per
 * arena memory. Operands are byte addresses in the arena. {@link DenseWasm} binds the module
 * to an arena: operands that already live there (workspace buffers, θ or data allocated from
 * the arena) are used in place, anything else is staged through arena buffers reserved here.
 */
import type { DType, FloatArray } from '../../core/dtype.ts';
import type { Arena } from '../../wasm/arena.ts';
import { ModuleBuilder, type FunctionBuilder } from '../../wasm/emitter.ts';
import { wasmFeatures } from '../../wasm/features.ts';
import { kernelExports } from '../../wasm/kernel-cache.ts';
import { defaultTile, emitGemm, vectorAccess } from '../../wasm/simd-gemm.ts';
import { SIMD_ACTIVATIONS, SimdMath } from '../../wasm/simd-math.ts';
import { activationKernels, activationSpec, type ActivationKernels } from '../activations.ts';

/** Reduction chunk over samples (weight and bias gradients). */
const SAMPLE_CHUNK = 256;

/** Widest rows (in vectors) whose bias sums the activation pullback carries in registers. */
const BIAS_SUM_VECTORS = 8;

/** Shape of one dense layer's kernels. */
export interface DenseWasmShape {
  inputSize: number;
  outputSize: number;
  bias: boolean;
  activation: string;
  dtype: DType;
}

interface DenseExports {
  forward(x: number, w: number, b: number, wt: number, z: number, y: number, n: number): void;
  backward(yBar: number, z: number, y: number, zBar: number, gb: number, n: number): void;
  weightGrad(zBar: number, x: number, g: number, n: number, scratch: number): void;
  inputGrad(zBar: number, w: number, xBar: number, n: number): void;
}

/**
 * Whether the weight gradient is formed transposed (vectors along the outputs): when the inputs
 * fit one vector and the outputs need more.
 */
function weightGradTransposed(shape: DenseWasmShape): boolean {
  const lanes = shape.dtype === 'float32' ? 4 : 2;
  return shape.inputSize <= lanes && shape.outputSize > lanes;
}

/** Whether the activation runs inside the kernels (else the TypeScript kernels run after). */
export function fusesActivation(activation: string): boolean {
  return SIMD_ACTIVATIONS.has(activation);
}

/** The module's bytes for a shape (exported for tests and inspection). */
export function denseModuleBytes(
  shape: DenseWasmShape,
  options: { relaxed: boolean; shared: boolean },
): Uint8Array<ArrayBuffer> {
  const { inputSize: inp, outputSize: out, dtype } = shape;
  const es = dtype === 'float32' ? 4 : 8;
  const fused = fusesActivation(shape.activation);
  const act = shape.activation;
  const m = new ModuleBuilder({
    initial: 1,
    maximum: options.shared ? 65536 : undefined,
    shared: options.shared,
  });
  const math = (f: FunctionBuilder): SimdMath => new SimdMath(f, dtype, options.relaxed);
  const load = dtype === 'float32' ? 'f32.load' : 'f64.load';
  const store = dtype === 'float32' ? 'f32.store' : 'f64.store';

  // forward(x, w, b, wt, z, y, n)
  m.function('forward', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [x, w, b, wt, z, y, n] = [0, 1, 2, 3, 4, 5, 6];
    const v = math(f);
    // wt[i·out + o] = w[o·in + i]
    const o = f.local('i32');
    const i = f.local('i32');
    f.forRange(
      o,
      () => f.i32(0),
      () => f.i32(out),
      1,
      () =>
        f.forRange(
          i,
          () => f.i32(0),
          () => f.i32(inp),
          1,
          () => {
            f.get(wt)
              .get(i)
              .i32(out * es)
              .op('i32.mul', 'i32.add');
            f.get(o).i32(es).op('i32.mul', 'i32.add');
            f.get(w)
              .get(o)
              .i32(inp * es)
              .op('i32.mul', 'i32.add');
            f.get(i).i32(es).op('i32.mul', 'i32.add');
            f.memory(load).memory(store);
          },
        ),
    );
    const needsZ = activationSpec(act).needsZ;
    const storeZ = fused && needsZ;
    const target = storeZ ? z : y; // C of the product
    const yDelta = f.local('i32');
    const py = f.local('i32');
    const value = f.local('v128');
    if (storeZ) f.get(y).get(z).op('i32.sub').set(yDelta);
    emitGemm(f, v, {
      dtype,
      M: { local: n },
      K: { fixed: inp },
      N: out,
      a: x,
      b: wt,
      c: target,
      aRow: inp * es,
      aStep: es,
      bStep: out * es,
      cRow: out * es,
      mode: 'store',
      ...(shape.bias ? { bias: b } : {}),
      tile: defaultTile(out, dtype),
      epilogue:
        !fused || act === 'identity'
          ? undefined
          : {
              vector(acc, pc, offset, lanes, storeVector) {
                if (storeZ) {
                  v.activation(act, acc, value);
                  f.get(pc).get(yDelta).op('i32.add').set(py);
                  storeVector(py, offset, value, lanes);
                } else {
                  v.activation(act, acc, acc);
                }
              },
            },
    });
  });

  // backward(yBar, z, y, zBar, gb, n): zBar = yBar ⊙ f′; gb += column sums of zBar. With up to
  // BIAS_SUM_VECTORS vectors per row the column sums ride along in registers (one pass over the
  // rows instead of two; float32 4 → 32 tanh, n = 10,000: 57 → 41 µs), in chunks of SAMPLE_CHUNK
  // rows added into gb as the product template's sums are (the same bits).
  m.function('backward', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [yBar, z, y, zBar, gb, n] = [0, 1, 2, 3, 4, 5];
    const v = math(f);
    const { loadVector, storeVector } = vectorAccess(f, v);
    const lanes = dtype === 'float32' ? 4 : 2;
    const vectors = Math.ceil(out / lanes);
    const s = f.local('i32');
    const row = f.local('i32'); // byte offset of the row
    const [pyb, pz, py, pzb] = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32')];
    const [vz, vy, d] = [f.local('v128'), f.local('v128'), f.local('v128')];
    const derivative = fused && act !== 'identity';
    const sumsAlong = derivative && shape.bias && vectors <= BIAS_SUM_VECTORS;
    const sums = sumsAlong ? Array.from({ length: vectors }, () => f.local('v128')) : [];
    /** zBar = yBar ⊙ f′ for the rows [from, to) (locals), column sums into `sums` if any. */
    const rows = (from: number, to: number): void =>
      void f.forRange(
        s,
        () => f.get(from),
        () => f.get(to),
        1,
        () => {
          f.get(s)
            .i32(out * es)
            .op('i32.mul')
            .set(row);
          for (const [p, base] of [
            [pyb, yBar],
            [pz, z],
            [py, y],
            [pzb, zBar],
          ] as const)
            f.get(base).get(row).op('i32.add').set(p);
          for (let c = 0; c < out; c += lanes) {
            const count = Math.min(lanes, out - c);
            const offset = c * es;
            if (activationSpec(act).needsZ) {
              loadVector(pz, offset, count);
              f.set(vz);
            }
            loadVector(py, offset, count);
            f.set(vy);
            v.derivative(act, vz, vy, d);
            loadVector(pyb, offset, count);
            f.get(d);
            v.op('mul');
            f.set(d);
            storeVector(pzb, offset, d, count);
            if (sumsAlong) {
              const sum = sums[c / lanes];
              f.get(sum).get(d);
              v.op('add');
              f.set(sum);
            }
          }
        },
      );
    if (sumsAlong) {
      const [k0, kEnd, pgb, t] = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('v128')];
      f.get(gb).set(pgb);
      f.i32(0).set(k0);
      f.block(() => {
        f.loop(() => {
          f.get(k0).get(n).op('i32.ge_s').brIf(1);
          f.get(k0).i32(SAMPLE_CHUNK).op('i32.add').set(kEnd);
          f.get(kEnd)
            .get(n)
            .op('i32.gt_s')
            .if(() => f.get(n).set(kEnd));
          for (const sum of sums) {
            v.constant(0);
            f.set(sum);
          }
          rows(k0, kEnd);
          sums.forEach((sum, j) => {
            const count = Math.min(lanes, out - j * lanes);
            loadVector(pgb, j * 16, count);
            f.get(sum);
            v.op('add');
            f.set(t);
            storeVector(pgb, j * 16, t, count);
          });
          f.get(kEnd).set(k0);
          f.br(0);
        });
      });
      return;
    }
    if (derivative) {
      const zeroRow = f.local('i32');
      f.i32(0).set(zeroRow);
      rows(zeroRow, n);
    }
    if (shape.bias) {
      emitGemm(f, v, {
        dtype,
        M: { fixed: 1 },
        K: { local: n },
        N: out,
        a: zBar,
        b: act === 'identity' ? yBar : zBar,
        c: gb,
        aRow: 0,
        aStep: 0,
        bStep: out * es,
        cRow: 0,
        aOnes: true,
        mode: 'accumulate',
        chunk: SAMPLE_CHUNK,
        tile: [1, Math.min(4, vectors)],
      });
    }
  });

  // weightGrad(zBar, x, g, n, scratch): g (out × in) += zBarᵀ·x. With vectors along `in`, a
  // layer narrower in than out (4 → 32) gets one vector per tile row; the transposed product
  // Gᵀ (in × out) = xᵀ·zBar has the vectors along `out` instead, and is then added into g
  // transposed through `scratch` (in × out). Measured (float32, n = 10,000, 4 → 32): 83–88 µs
  // directly, 50 µs transposed.
  m.function('weightGrad', ['i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [zBar, x, g, n, scratch] = [0, 1, 2, 3, 4];
    if (!weightGradTransposed(shape)) {
      emitGemm(f, math(f), {
        dtype,
        M: { fixed: out },
        K: { local: n },
        N: inp,
        a: zBar,
        b: x,
        c: g,
        aRow: es,
        aStep: out * es,
        bStep: inp * es,
        cRow: inp * es,
        mode: 'accumulate',
        chunk: SAMPLE_CHUNK,
        tile: defaultTile(inp, dtype),
      });
      return;
    }
    // scratch = 0, scratch += xᵀ·zBar, g[o·in + i] += scratch[i·out + o]
    const k = f.local('i32');
    const bytes = inp * out * es;
    const vectorBytes = bytes - (bytes % 16);
    f.forRange(
      k,
      () => f.i32(0),
      () => f.i32(vectorBytes),
      16,
      () => {
        f.get(scratch).get(k).op('i32.add').splatConst('i32', 0).memory('v128.store');
      },
    );
    for (let b = vectorBytes; b < bytes; b += es) {
      f.get(scratch);
      if (dtype === 'float32') f.f32(0);
      else f.f64(0);
      f.memory(store, b);
    }
    emitGemm(f, math(f), {
      dtype,
      M: { fixed: inp },
      K: { local: n },
      N: out,
      a: x,
      b: zBar,
      c: scratch,
      aRow: es,
      aStep: inp * es,
      bStep: out * es,
      cRow: out * es,
      mode: 'accumulate',
      chunk: SAMPLE_CHUNK,
      tile: defaultTile(out, dtype),
    });
    // For each output o (a loop; the inputs, at most one vector, unrolled):
    // g[o·in + i] += scratch[i·out + o].
    const add = dtype === 'float32' ? 'f32.add' : 'f64.add';
    const [pg, ps] = [f.local('i32'), f.local('i32')];
    f.get(g).set(pg);
    f.get(scratch).set(ps);
    f.forRange(
      k,
      () => f.i32(0),
      () => f.i32(out),
      1,
      () => {
        for (let i = 0; i < inp; i++) {
          f.get(pg)
            .get(pg)
            .memory(load, i * es);
          f.get(ps).memory(load, i * out * es);
          f.op(add).memory(store, i * es);
        }
        f.addTo(pg, inp * es);
        f.addTo(ps, es);
      },
    );
  });

  // inputGrad(zBar, w, xBar, n): xBar (n × in) = zBar·W
  m.function('inputGrad', ['i32', 'i32', 'i32', 'i32'], [], (f) => {
    emitGemm(f, math(f), {
      dtype,
      M: { local: 3 },
      K: { fixed: out },
      N: inp,
      a: 0,
      b: 1,
      c: 2,
      aRow: out * es,
      aStep: es,
      bStep: inp * es,
      cRow: inp * es,
      mode: 'store',
      tile: defaultTile(inp, dtype),
    });
  });
  return m.encode();
}

/** Compiled kernels of a shape bound to an arena's memory (compiled and instantiated once). */
export function denseExports(shape: DenseWasmShape, arena: Arena, relaxed: boolean): DenseExports {
  return kernelExports<DenseExports>(
    JSON.stringify(['dense', shape, relaxed, arena.shared]),
    () => denseModuleBytes(shape, { relaxed, shared: arena.shared }),
    arena,
  );
}

/**
 * A dense layer's batched forward and pullback on the WebAssembly kernels, bound to an arena.
 * Buffers outside the arena are staged through reserved arena buffers (θ and gradient slices
 * always fit; inputs, cotangents and input cotangents up to the batch capacity).
 */
export class DenseWasm {
  readonly shape: DenseWasmShape;
  readonly arena: Arena;
  private readonly k: DenseExports;
  private readonly es: number;
  private readonly paramCount: number;
  private readonly activation: ActivationKernels | null;
  private readonly thetaStage: FloatArray;
  private readonly gradStage: FloatArray;
  private readonly transposed: FloatArray;
  private readonly inputStage: FloatArray;
  private readonly cotangentStage: FloatArray;
  private readonly inputCotangentStage: FloatArray;
  private readonly outputStage: FloatArray;
  /** The output buffer outside the arena that the last forward copied into, or null. */
  private stagedOutput: FloatArray | null = null;
  /** The input staged by the last forward (reused by its pullback), or null. */
  private stagedInput: FloatArray | null = null;
  /** θ outside the arena as staged by the last forward, or null. */
  private stagedTheta: FloatArray | null = null;

  constructor(shape: DenseWasmShape, arena: Arena, capacity: number, relaxed?: boolean) {
    this.shape = shape;
    this.arena = arena;
    const { inputSize: inp, outputSize: out, dtype } = shape;
    this.es = dtype === 'float32' ? 4 : 8;
    this.paramCount = out * inp + (shape.bias ? out : 0);
    this.k = denseExports(shape, arena, relaxed ?? wasmFeatures().relaxedSimd);
    this.activation = fusesActivation(shape.activation)
      ? null
      : activationKernels(shape.activation, dtype);
    // Reserved once, so staging never grows the arena on a hot path.
    this.thetaStage = arena.floats(dtype, this.paramCount);
    this.gradStage = arena.floats(dtype, this.paramCount);
    this.transposed = arena.floats(dtype, out * inp);
    this.inputStage = arena.floats(dtype, capacity * inp);
    this.cotangentStage = arena.floats(dtype, capacity * out);
    this.inputCotangentStage = arena.floats(dtype, capacity * inp);
    this.outputStage = arena.floats(dtype, capacity * out);
  }

  /** Byte address of `array[offset]` (array in the arena). */
  private at(array: FloatArray, offset = 0): number {
    return array.byteOffset + offset * this.es;
  }

  /** Address of θ's layer slice, staging it when θ is outside the arena. */
  private thetaAddress(theta: FloatArray, offset: number): number {
    if (this.arena.owns(theta)) return this.at(theta, offset);
    const stage = this.thetaStage;
    for (let i = 0; i < this.paramCount; i++) stage[i] = theta[offset + i];
    return this.at(stage);
  }

  /** Address of an n × width input, staged into `stage` when outside the arena. */
  private inputAddress(x: FloatArray, length: number, stage: FloatArray): number {
    if (this.arena.owns(x)) return this.at(x);
    for (let i = 0; i < length; i++) stage[i] = x[i];
    return this.at(stage);
  }

  /** y = f(x·Wᵀ + b) for n samples; z receives the pre-activation when non-null. */
  forward(
    theta: FloatArray,
    thetaOffset: number,
    x: FloatArray,
    z: FloatArray | null,
    y: FloatArray,
    n: number,
  ): void {
    const { inputSize: inp, outputSize: out } = this.shape;
    const w = this.thetaAddress(theta, thetaOffset);
    this.stagedTheta = this.arena.owns(theta) ? null : theta;
    const px = this.inputAddress(x, n * inp, this.inputStage);
    this.stagedInput = this.arena.owns(x) ? null : x;
    const yInArena = this.arena.owns(y);
    const yk = yInArena ? y : this.outputStage;
    const zOut = z ?? yk;
    const wt = this.at(this.transposed);
    this.k.forward(px, w, w + out * inp * this.es, wt, this.at(zOut), this.at(yk), n);
    if (this.activation !== null) this.activation.forward(zOut, yk, n * out);
    this.stagedOutput = yInArena ? null : y;
    if (!yInArena) for (let i = 0; i < n * out; i++) y[i] = yk[i];
  }

  /**
   * Pullback of the last forward: grad[gradOffset …] += ȳᵀ∂y/∂θ and x̄ = ȳᵀ∂y/∂x (when xBar is
   * non-null). `zBar` is scratch for ȳ ⊙ f′ (null for the identity).
   */
  vjp(
    theta: FloatArray,
    thetaOffset: number,
    x: FloatArray,
    z: FloatArray | null,
    y: FloatArray,
    yBar: FloatArray,
    zBar: FloatArray | null,
    xBar: FloatArray | null,
    grad: FloatArray,
    gradOffset: number,
    n: number,
    biasSums: Float64Array,
  ): void {
    const { inputSize: inp, outputSize: out } = this.shape;
    const yk = y === this.stagedOutput ? this.outputStage : y;
    const gradInArena = this.arena.owns(grad);
    const g = gradInArena ? this.at(grad, gradOffset) : this.at(this.gradStage);
    if (!gradInArena) this.gradStage.fill(0);
    const gb = g + out * inp * this.es;
    let pzb: number;
    if (zBar === null) {
      pzb = this.inputAddress(yBar, n * out, this.cotangentStage);
      if (this.shape.bias) this.k.backward(pzb, 0, 0, pzb, gb, n);
    } else if (this.activation === null) {
      const pyb = this.inputAddress(yBar, n * out, this.cotangentStage);
      pzb = this.at(zBar);
      this.k.backward(pyb, this.at(z ?? yk), this.at(yk), pzb, gb, n);
    } else {
      // Activation without a SIMD form: the TypeScript pullback, bias sums included.
      const zv = z ?? yk;
      if (this.shape.bias) {
        const target = gradInArena ? grad : this.gradStage;
        const offset = gradInArena ? gradOffset + out * inp : out * inp;
        this.activation.backwardWithBias(zv, yk, yBar, zBar, n, out, target, offset, biasSums);
      } else {
        this.activation.backward(zv, yk, yBar, zBar, n * out);
      }
      pzb = this.at(zBar);
    }
    // The protocol keeps x unchanged between forward and pullback: reuse its staged copy.
    const px =
      x === this.stagedInput
        ? this.at(this.inputStage)
        : this.inputAddress(x, n * inp, this.inputStage);
    // The transposed W of the forward is not needed again: scratch for the weight gradient.
    this.k.weightGrad(pzb, px, g, n, this.at(this.transposed));
    if (xBar !== null) {
      // θ is unchanged since the forward (the protocol): reuse its staged copy.
      const w =
        theta === this.stagedTheta
          ? this.at(this.thetaStage)
          : this.thetaAddress(theta, thetaOffset);
      if (this.arena.owns(xBar)) {
        this.k.inputGrad(pzb, w, this.at(xBar), n);
      } else {
        const stage = this.inputCotangentStage;
        this.k.inputGrad(pzb, w, this.at(stage), n);
        for (let i = 0; i < n * inp; i++) xBar[i] = stage[i];
      }
    }
    if (!gradInArena) {
      const stage = this.gradStage;
      for (let i = 0; i < this.paramCount; i++) grad[gradOffset + i] += stage[i];
    }
  }
}
