/**
 * The three matrix products of a dense layer on a batch of n samples, bound to the layer's
 * widths: generated GEMM kernels (`gemm.ts`) with every stride fixed, behind calls that say what
 * they compute.
 *
 *   forward     Z  = X·Wᵀ + b        (n × out)
 *   weightGrad  W̄ += Z̄ᵀ·X            (out × in, accumulated)
 *   inputGrad   X̄  = Z̄·W             (n × in)
 *
 * In float32 the weights and bias are first copied into a float64 scratch vector (out·in + out
 * numbers, nothing next to the n·width activations), so the kernels read W without a float32
 * conversion per load — measured ~6 % faster on the products that read W, with identical
 * results: every float32 value is exactly representable in float64, and the kernels accumulate
 * in float64 either way.
 */
import { heapAllocator, type Allocator } from '../../core/allocator.ts';
import type { DType, FloatArray } from '../../core/dtype.ts';
import { gemmFor } from './gemm.ts';

/** Batched products of one dense layer shape. */
export interface DenseBatchProducts {
  /** z[0 … n·out) = x·Wᵀ + b, W (and b) read from theta at `offset`. */
  forward(theta: FloatArray, offset: number, x: FloatArray, z: FloatArray, n: number): void;
  /** grad[gradOffset …] += z̄ᵀ·x (weights only; the bias gradient is summed elsewhere). */
  weightGrad(
    zBar: FloatArray,
    x: FloatArray,
    grad: FloatArray,
    gradOffset: number,
    n: number,
  ): void;
  /** x̄[0 … n·in) = z̄·W. */
  inputGrad(theta: FloatArray, offset: number, zBar: FloatArray, xBar: FloatArray, n: number): void;
}

/** Products for a layer `inp → out` (bias or not) in a dtype. */
export function denseBatchProducts(
  inp: number,
  out: number,
  hasBias: boolean,
  dtype: DType,
  allocator: Allocator = heapAllocator,
): DenseBatchProducts {
  const forward = gemmFor({
    dtype,
    ...(hasBias ? { bias: 'columns' as const } : {}),
    N: out,
    K: inp,
    aRowStride: inp,
    aColStride: 1,
    bRowStride: 1,
    bColStride: inp,
    cRowStride: out,
    cColStride: 1,
  });
  const weightGrad = gemmFor({
    dtype,
    M: out,
    N: inp,
    aRowStride: 1,
    aColStride: out,
    bRowStride: inp,
    bColStride: 1,
    cRowStride: inp,
    cColStride: 1,
  });
  const inputGrad = gemmFor({
    dtype,
    N: inp,
    K: out,
    aRowStride: out,
    aColStride: 1,
    bRowStride: inp,
    bColStride: 1,
    cRowStride: inp,
    cColStride: 1,
  });
  const weights = out * inp;
  const count = weights + (hasBias ? out : 0);
  // float32: W and b as float64 (see the module comment); float64: θ is read in place.
  const scratch = dtype === 'float32' ? allocator.floats('float64', count) : null;
  const copyWeights = (theta: FloatArray, offset: number): void => {
    for (let i = 0; i < count; i++) scratch![i] = theta[offset + i];
  };
  return {
    forward(theta, offset, x, z, n) {
      if (scratch === null) {
        forward(
          n,
          out,
          inp,
          x,
          0,
          inp,
          1,
          theta,
          offset,
          1,
          inp,
          z,
          0,
          out,
          1,
          false,
          theta,
          offset + weights,
        );
      } else {
        copyWeights(theta, offset);
        forward(
          n,
          out,
          inp,
          x,
          0,
          inp,
          1,
          scratch,
          0,
          1,
          inp,
          z,
          0,
          out,
          1,
          false,
          scratch,
          weights,
        );
      }
    },
    weightGrad(zBar, x, grad, gradOffset, n) {
      weightGrad(out, inp, n, zBar, 0, 1, out, x, 0, inp, 1, grad, gradOffset, inp, 1, true);
    },
    inputGrad(theta, offset, zBar, xBar, n) {
      if (scratch === null) {
        inputGrad(n, inp, out, zBar, 0, out, 1, theta, offset, inp, 1, xBar, 0, inp, 1, false);
      } else {
        copyWeights(theta, offset);
        inputGrad(n, inp, out, zBar, 0, out, 1, scratch, 0, inp, 1, xBar, 0, inp, 1, false);
      }
    },
  };
}
