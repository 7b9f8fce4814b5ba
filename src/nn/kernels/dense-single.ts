/**
 * Dense-layer kernels for a single sample — the ODE right-hand-side case, where call overhead
 * and loop structure matter more than arithmetic. Generated per layer shape, activation and
 * dtype from one template:
 *
 * - forward: y = f(W·x + b) in one pass, four rows of W at a time (each x[i] loaded once per
 *   four rows), bias and activation applied to the accumulators before they are stored;
 * - pullback: z̄ = ȳ·f′, the bias gradient, the rank-1 weight update W̄ += z̄·xᵀ and the input
 *   cotangent x̄ = Wᵀ·z̄ in a single sweep over W — each weight is read once. A variant without
 *   the input cotangent is generated for first layers, whose x̄ nobody needs.
 */
import type { DType, FloatArray } from '../../core/dtype.ts';
import { activationSpec, compileKernel } from '../activations.ts';

/** y = f(W·x + b) for one sample; `z` receives the pre-activation when the activation needs it. */
export type SingleForward = (
  theta: FloatArray,
  offset: number,
  x: FloatArray,
  z: FloatArray,
  y: FloatArray,
) => void;

/** Pullback for one sample: accumulates W̄ and b̄ into `grad` and writes x̄ (when not null). */
export type SingleVjp = (
  theta: FloatArray,
  offset: number,
  x: FloatArray,
  z: FloatArray,
  y: FloatArray,
  yBar: FloatArray,
  grad: FloatArray,
  gradOffset: number,
  xBar: FloatArray | null,
) => void;

/** The generated kernels for one layer shape. */
export interface SingleSampleKernels {
  readonly forward: SingleForward;
  /** Pullback writing x̄. */
  readonly vjp: SingleVjp;
  /** Pullback without x̄ (its `xBar` argument is ignored). */
  readonly vjpWithoutInput: SingleVjp;
}

const ROWS = 4;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

interface Shape {
  inp: number;
  out: number;
  activation: string;
  bias: boolean;
  dtype: DType;
}

function forwardSource(s: Shape): string {
  const act = activationSpec(s.activation);
  const value = s.dtype === 'float32' && act.valueFloat32 ? act.valueFloat32 : act.value;
  const block = (rows: number): string => {
    const r = range(rows);
    return `{
      const p = offset + o * ${s.inp};
      ${r.map((k) => `let s${k} = ${s.bias ? `T[${s.out * s.inp} + offset + o + ${k}]` : '0'};`).join(' ')}
      for (let i = 0; i < ${s.inp}; i++) {
        const xi = X[i];
        ${r.map((k) => `s${k} += T[p + ${k * s.inp} + i] * xi;`).join(' ')}
      }
      ${r.map((k) => `{ const z = s${k}; ${act.needsZ ? `Z[o + ${k}] = z;` : ''} let y = 0; { ${value} } Y[o + ${k}] = y; }`).join('\n      ')}
    }`;
  };
  return `"use strict"; return function denseForward_${s.dtype}_${s.inp}x${s.out}_${act.name}(T, offset, X, Z, Y) {
    let o = 0;
    for (; o + ${ROWS} <= ${s.out}; o += ${ROWS}) ${block(ROWS)}
    for (; o < ${s.out}; o++) ${block(1)}
  };`;
}

function vjpSource(s: Shape, withInput: boolean): string {
  const act = activationSpec(s.activation);
  const block = (rows: number): string => {
    const r = range(rows);
    const derivative = (k: number): string =>
      act.name === 'identity'
        ? `const d${k} = YB[o + ${k}];`
        : `let d${k} = 0; { ${act.needsZ ? `const z = Z[o + ${k}];` : ''} const y = Y[o + ${k}]; let d = 0; { ${act.derivative} } d${k} = YB[o + ${k}] * d; }`;
    return `{
      ${r.map(derivative).join('\n      ')}
      ${s.bias ? r.map((k) => `G[${s.out * s.inp} + g + o + ${k}] += d${k};`).join(' ') : ''}
      const p = offset + o * ${s.inp};
      const q = g + o * ${s.inp};
      for (let i = 0; i < ${s.inp}; i++) {
        const xi = X[i];
        ${r.map((k) => `G[q + ${k * s.inp} + i] += d${k} * xi;`).join(' ')}
        ${withInput ? `XB[i] += ${r.map((k) => `T[p + ${k * s.inp} + i] * d${k}`).join(' + ')};` : ''}
      }
    }`;
  };
  return `"use strict"; return function denseVjp_${s.dtype}_${s.inp}x${s.out}_${act.name}${withInput ? '' : '_noInput'}(T, offset, X, Z, Y, YB, G, g, XB) {
    ${withInput ? `for (let i = 0; i < ${s.inp}; i++) XB[i] = 0;` : ''}
    let o = 0;
    for (; o + ${ROWS} <= ${s.out}; o += ${ROWS}) ${block(ROWS)}
    for (; o < ${s.out}; o++) ${block(1)}
  };`;
}

const cache = new Map<string, SingleSampleKernels>();

/** Kernels for one layer shape (generated once per shape, activation, bias and dtype). */
export function singleSampleKernels(
  inp: number,
  out: number,
  activation: string,
  bias: boolean,
  dtype: DType,
): SingleSampleKernels {
  const key = `${dtype}:${inp}x${out}:${activation}:${bias}`;
  let k = cache.get(key);
  if (!k) {
    const shape: Shape = { inp, out, activation, bias, dtype };
    const forward = compileKernel(forwardSource(shape)) as SingleForward;
    const vjp = compileKernel(vjpSource(shape, true)) as SingleVjp;
    const vjpWithoutInput = compileKernel(vjpSource(shape, false)) as SingleVjp;
    k = { forward, vjp, vjpWithoutInput };
    cache.set(key, k);
  }
  return k;
}
