/** Element types scichain computes in. */
export type DType = 'float64' | 'float32';

/** A flat floating-point buffer: parameters, gradients, activations, data. */
export type FloatArray = Float64Array | Float32Array;

/** The element type of a buffer. */
export function dtypeOf(array: FloatArray): DType {
  return array instanceof Float32Array ? 'float32' : 'float64';
}

/** The typed-array constructor for a dtype. */
export function arrayType(dtype: DType): Float64ArrayConstructor | Float32ArrayConstructor {
  return dtype === 'float32' ? Float32Array : Float64Array;
}
