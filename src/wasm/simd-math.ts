/**
 * SIMD elementary functions and activations, emitted into generated kernels (f32x4 and f64x2).
 *
 * - exp: x = k·ln2 + r with k = nearest(x/ln2) and a two-part ln 2, e^x = 2^k·e^r; e^r by
 *   Cephes' expf polynomial (f32) or its Taylor series to r¹² (f64, truncation < 2e-16 for
 *   |r| ≤ ln2/2); 2^k built in the exponent bits. Arguments are clamped to where 2^k is a normal
 *   number ([−87.3, 88.3] in f32, [−708.39, 709] in f64); below the lower end the result is 0, so
 *   results that would be subnormal flush to zero. Only the activations call it, with arguments
 *   ≤ 18 (tanh) or ≤ 0 (sigmoid, rbf).
 * - tanh f32: the odd rational x·P(x²)/Q(x²) Eigen uses for float, with P's leading coefficient
 *   set equal to Q's so tanh x → x for tiny x; clamped to ±9, where float tanh is ±1.
 * - tanh f64: Cephes — x + x·w·P(w)/Q(w), w = x², for |x| < 0.625 (relative error ~3e-16),
 *   else 1 − 2/(e^{2|x|} + 1) with the sign of x (the result is ≥ 0.55, so nothing cancels).
 * - sigmoid: e = e^{−|z|}, then 1/(1 + e) or e/(1 + e) by the sign of z (no cancellation).
 * - gelu (tanh form): 0.5·z·(1 + tanh u) is evaluated as z·σ(2u), which is the same function
 *   without the cancellation of 1 + tanh u for large negative z.
 *
 * Measured maximum errors are in `docs/performance.md`; `test/wasm/simd-math.test.ts` checks
 * them on dense grids including the tails. Activations without a SIMD form here (softplus,
 * which needs log1p) run as the plain TypeScript kernels on the same buffers.
 */
import type { DType } from '../core/dtype.ts';
import type { FunctionBuilder } from './emitter.ts';

/** Activations with a SIMD value here (softplus falls back to TypeScript). */
export const SIMD_ACTIVATIONS: ReadonlySet<string> = new Set([
  'identity',
  'tanh',
  'sigmoid',
  'relu',
  'rbf',
  'silu',
  'gelu',
]);

// Eigen's float tanh coefficients (x·P(x²)/Q(x²)); P's last entry equals Q's last.
const TANH32_P = [
  -2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11, 5.12229709037114e-8,
  1.48572235717979e-5, 6.37261928875436e-4, 4.89352518554385e-3,
];
const TANH32_Q = [1.19825839466702e-6, 1.18534705686654e-4, 2.268434632439e-3, 4.89352518554385e-3];
// Cephes tanh, |x| < 0.625: x + x·w·P(w)/Q(w).
const TANH64_P = [-0.9643991794250523, -99.28772310019185, -1614.6876844170845];
const TANH64_Q = [1, 112.81167849163293, 2235.4883906010045, 4844.063053251255];
// Cephes expf: e^r ≈ 1 + r + r²·P(r).
const EXP32_P = [
  1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1,
  5.0000001201e-1,
];
/** 1/12!, 1/11!, …, 1/1!, 1/0!: e^r by Taylor to r¹². */
const EXP64_TAYLOR = Array.from({ length: 13 }, (_, i) => {
  let f = 1;
  for (let j = 2; j <= 12 - i; j++) f *= j;
  return 1 / f;
});
const GELU_C = 0.7978845608028654; // √(2/π)

/**
 * Emits vector math into one function. Temporaries are locals of the function, allocated on
 * first use and reused by later calls (each helper has its own set, so nested helpers never
 * clobber each other's).
 */
export class SimdMath {
  readonly f: FunctionBuilder;
  readonly dtype: DType;
  /** `f32x4` or `f64x2`. */
  readonly shape: string;
  private readonly relaxed: boolean;
  private readonly temps = new Map<string, number>();

  constructor(f: FunctionBuilder, dtype: DType, relaxed: boolean) {
    this.f = f;
    this.dtype = dtype;
    this.shape = dtype === 'float32' ? 'f32x4' : 'f64x2';
    this.relaxed = relaxed;
  }

  /** A v128 temporary private to `owner`. */
  temp(owner: string): number {
    let index = this.temps.get(owner);
    if (index === undefined) {
      index = this.f.local('v128');
      this.temps.set(owner, index);
    }
    return index;
  }

  /** Emits `<shape>.<name>` for each name. */
  op(...names: string[]): this {
    for (const n of names) this.f.op(`${this.shape}.${n}`);
    return this;
  }

  /** Pushes a constant splatted over the lanes. */
  constant(value: number): this {
    const type = this.dtype === 'float32' ? 'f32' : 'f64';
    // Hoisted to function entry: a v128.const inside a loop is rebuilt at every use.
    const local = this.f.hoist(`${type}:${Object.is(value, -0) ? '-0' : value}`, 'v128', () =>
      this.f.splatConst(type, value),
    );
    this.f.get(local);
    return this;
  }

  /** a·b + c from the stack (a, b, c): fused where relaxed SIMD is available. */
  madd(): this {
    if (this.relaxed) return this.op('relaxed_madd');
    // Without the fused form: c is on top; compute a·b first by rotating through a temp.
    const c = this.temp('madd.c');
    this.f.set(c);
    return this.op('mul').get(c).op('add');
  }

  /** Pushes a local. */
  get(local: number): this {
    this.f.get(local);
    return this;
  }

  /** Pushes P(x) = Σ coefficients[i]·x^(n−i) (highest degree first) by Horner's rule. */
  horner(x: number, coefficients: readonly number[]): this {
    this.constant(coefficients[0]);
    for (let i = 1; i < coefficients.length; i++) this.get(x).constant(coefficients[i]).madd();
    return this;
  }

  /**
   * Pushes P(x) (coefficients highest degree first, as {@link horner}) by Estrin's scheme:
   * pairs a + b·x, then pairs of those with x², x⁴, … Horner's rule is one chain of dependent
   * multiply-adds as long as the degree; Estrin's is about log₂ of it, which is what a single
   * vector's evaluation is bound by when nothing else can fill the gaps (the single-sample
   * kernels' activations). For the float64 exp (degree 12) it took the tanh share of a
   * 2–32–32–2 single-sample call from 965–1,106 ns to 821–946 ns (same process, alternating).
   */
  estrin(x: number, coefficients: readonly number[]): this {
    const f = this.f;
    // Ascending: a[j] multiplies x^j.
    let terms = [...coefficients].reverse().map((c) => ({ constant: c, local: -1 }));
    let power = x;
    let level = 0;
    while (terms.length > 1) {
      const next: { constant: number; local: number }[] = [];
      for (let j = 0; j < terms.length; j += 2) {
        const low = terms[j];
        const high = terms[j + 1];
        if (high === undefined) {
          next.push(low);
          continue;
        }
        // low + high·power
        const out = this.temp(`estrin.${level}.${j / 2}`);
        if (high.local < 0) this.constant(high.constant);
        else f.get(high.local);
        f.get(power);
        if (low.local < 0) this.constant(low.constant);
        else f.get(low.local);
        this.madd();
        f.set(out);
        next.push({ constant: 0, local: out });
      }
      terms = next;
      if (terms.length > 1) {
        const squared = this.temp(`estrin.power.${level}`);
        f.get(power).get(power);
        this.op('mul');
        f.set(squared);
        power = squared;
      }
      level++;
    }
    const only = terms[0];
    if (only.local < 0) this.constant(only.constant);
    else f.get(only.local);
    return this;
  }

  /** dst = e^src (see the module comment for range and flushing). */
  exp(src: number, dst: number): this {
    const f = this.f;
    const f32 = this.dtype === 'float32';
    const lo = f32 ? -87.3 : -708.39;
    const hi = f32 ? 88.3 : 709;
    const x = this.temp('exp.x');
    const k = this.temp('exp.k');
    const r = this.temp('exp.r');
    this.get(src).constant(lo).op('pmax').constant(hi).op('pmin');
    f.set(x);
    this.get(x).constant(Math.LOG2E).op('mul', 'nearest');
    f.set(k);
    // r = x − k·ln2_hi − k·ln2_lo (Cephes' split for f32, fdlibm's for f64).
    const [hiPart, loPart] = f32
      ? [0.693359375, -2.1219444e-4]
      : [6.9314718036912381649e-1, 1.90821492927058770002e-10];
    this.get(k).constant(-hiPart).get(x).madd();
    f.set(r);
    this.get(k).constant(-loPart).get(r).madd();
    f.set(r);
    if (f32) {
      // e^r = P(r)·r² + (r + 1)
      const p = this.temp('exp.p');
      this.horner(r, EXP32_P);
      f.set(p);
      this.get(p).get(r).get(r).op('mul').op('mul').get(r).constant(1).op('add', 'add');
      // 2^k: (k + 127) << 23 as float bits.
      f.get(k).op('i32x4.trunc_sat_f32x4_s').splatConst('i32', 127).op('i32x4.add');
      f.i32(23).op('i32x4.shl');
    } else {
      this.estrin(r, EXP64_TAYLOR);
      f.get(k).op('i32x4.trunc_sat_f64x2_s_zero', 'i64x2.extend_low_i32x4_s');
      f.splatConst('i64', 1023).op('i64x2.add').i32(52).op('i64x2.shl');
    }
    this.op('mul');
    // Below the range: 0 (v128.andnot(a, b) = a & ~b).
    this.get(src).constant(lo).op('lt');
    f.op('v128.andnot').set(dst);
    return this;
  }

  /** dst = tanh(src). */
  tanh(src: number, dst: number): this {
    const f = this.f;
    if (this.dtype === 'float32') {
      const c = this.temp('tanh.c');
      const c2 = this.temp('tanh.c2');
      const p = this.temp('tanh.p');
      // pmax/pmin, not max/min: WebAssembly's max/min must order −0 < +0 and propagate NaN,
      // which costs several instructions each; the pseudo forms are one (and still pass NaN
      // through here, as x sits in the first operand). Measured on the mexp layers (forward with
      // tanh minus forward without, n = 10,000): ~2.0 → 1.1–1.5 ns per element.
      this.get(src).constant(-9).op('pmax').constant(9).op('pmin');
      f.set(c);
      this.get(c).get(c).op('mul');
      f.set(c2);
      this.horner(c2, TANH32_P);
      f.set(p);
      this.get(c).get(p).op('mul').horner(c2, TANH32_Q).op('div');
      f.set(dst);
      return this;
    }
    const w = this.temp('tanh.w');
    const small = this.temp('tanh.small');
    const e = this.temp('tanh.e');
    this.get(src).get(src).op('mul');
    f.set(w);
    // small branch: x + x·w·P(w)/Q(w)
    this.get(src).get(w).op('mul').horner(w, TANH64_P).op('mul').horner(w, TANH64_Q).op('div');
    this.get(src).op('add');
    f.set(small);
    // large branch: 1 − 2/(e^{2|x|} + 1), |x| clamped to 22 (where tanh is ±1 in double)
    this.get(src).op('abs').constant(22).op('pmin').constant(2).op('mul');
    f.set(e);
    this.exp(e, e);
    this.constant(1).constant(2).get(e).constant(1).op('add', 'div', 'sub');
    f.set(e);
    // sign of x onto the large branch, then choose by |x| < 0.625
    this.get(e).op('neg').get(e).get(src).constant(0).op('lt');
    f.op('v128.bitselect').set(e);
    f.get(small).get(e);
    this.get(src).op('abs').constant(0.625).op('lt');
    f.op('v128.bitselect').set(dst);
    return this;
  }

  /** dst = sigmoid(src). */
  sigmoid(src: number, dst: number): this {
    const f = this.f;
    const e = this.temp('sigmoid.e');
    this.get(src).op('abs', 'neg');
    f.set(e);
    this.exp(e, e);
    // numerator: e where z < 0, else 1
    this.get(e).constant(1).get(src).constant(0).op('lt');
    f.op('v128.bitselect');
    this.get(e).constant(1).op('add', 'div');
    f.set(dst);
    return this;
  }

  /** dst = activation(src) for a name in {@link SIMD_ACTIVATIONS}. */
  activation(name: string, src: number, dst: number): this {
    const f = this.f;
    switch (name) {
      case 'identity':
        if (src !== dst) f.get(src).set(dst);
        return this;
      case 'tanh':
        return this.tanh(src, dst);
      case 'sigmoid':
        return this.sigmoid(src, dst);
      case 'relu':
        this.get(src).constant(0).op('max');
        f.set(dst);
        return this;
      case 'rbf': {
        const t = this.temp('rbf.t');
        this.get(src).get(src).op('mul', 'neg');
        f.set(t);
        if (this.dtype === 'float64') return this.exp(t, dst);
        // float32: z² rounds by up to half an ulp, which e^(−z²) would magnify 2z²-fold; take
        // the rounding error e of p = fl(z²) exactly (Dekker's split) and use e^(−p)·(1 − e).
        const hi = this.temp('rbf.hi');
        const lo = this.temp('rbf.lo');
        this.get(src).constant(4097).op('mul');
        f.set(hi);
        this.get(hi).get(hi).get(src).op('sub', 'sub');
        f.set(hi);
        this.get(src).get(hi).op('sub');
        f.set(lo);
        // e = ((hi·hi + p) + 2·hi·lo) + lo·lo with p = −fl(z²) = t
        this.get(hi).get(hi).op('mul').get(t).op('add');
        this.get(hi).get(lo).op('mul').constant(2).op('mul', 'add');
        this.get(lo).get(lo).op('mul', 'add');
        f.set(lo);
        this.exp(t, dst);
        this.get(dst).constant(1).get(lo).op('sub', 'mul');
        f.set(dst);
        return this;
      }
      case 'silu': {
        const s = this.temp('silu.s');
        this.sigmoid(src, s);
        this.get(src).get(s).op('mul');
        f.set(dst);
        return this;
      }
      case 'gelu': {
        // 0.5·z·(1 + tanh u) = z·σ(2u), u = c·(z + 0.044715 z³): no cancellation as u → −∞.
        const t = this.temp('gelu.t');
        this.get(src).get(src).op('mul').get(src).op('mul').constant(0.044715).op('mul');
        this.get(src)
          .op('add')
          .constant(2 * GELU_C)
          .op('mul');
        f.set(t);
        this.sigmoid(t, t);
        this.get(src).get(t).op('mul');
        f.set(dst);
        return this;
      }
      default:
        throw new Error(`no SIMD form of activation '${name}'`);
    }
  }

  /** dst = f′ for the activation, from z (pre-activation) and y (output) locals. */
  derivative(name: string, z: number, y: number, dst: number): this {
    const f = this.f;
    switch (name) {
      case 'identity':
        this.constant(1);
        break;
      case 'tanh':
        this.constant(1).get(y).get(y).op('mul', 'sub');
        break;
      case 'sigmoid':
        this.get(y).constant(1).get(y).op('sub', 'mul');
        break;
      case 'relu':
        this.constant(1).get(y).constant(0).op('gt');
        f.op('v128.and');
        break;
      case 'rbf':
        this.get(z).constant(-2).op('mul').get(y).op('mul');
        break;
      case 'silu': {
        // s·(1 + z·(1 − s))
        const s = this.temp('dsilu.s');
        this.sigmoid(z, s);
        this.get(s).constant(1).get(z).constant(1).get(s).op('sub', 'mul', 'add', 'mul');
        break;
      }
      case 'gelu': {
        // d/dz z·σ(2u) = σ + 2z·σ·(1 − σ)·u′, u′ = c·(1 + 0.134145 z²)
        const sg = this.temp('dgelu.s');
        const z2 = this.temp('dgelu.z2');
        this.get(z).get(z).op('mul');
        f.set(z2);
        this.get(z2).constant(0.044715).op('mul').constant(1).op('add').get(z).op('mul');
        this.constant(2 * GELU_C).op('mul');
        f.set(sg);
        this.sigmoid(sg, sg);
        this.get(sg);
        this.get(z)
          .constant(2 * GELU_C)
          .op('mul')
          .get(sg)
          .op('mul');
        this.constant(1).get(sg).op('sub', 'mul');
        this.get(z2).constant(0.134145).op('mul').constant(1).op('add');
        this.op('mul', 'add');
        break;
      }
      default:
        throw new Error(`no SIMD derivative of activation '${name}'`);
    }
    f.set(dst);
    return this;
  }
}
