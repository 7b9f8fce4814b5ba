/**
 * Two-dimensional data at the API: a batch of samples (rows) of features (columns). Callers may
 * pass an `ndarray` view or a flat typed array (row-major, each sample's features contiguous);
 * results can be returned as `ndarray` views over scichain's own buffers, never as copies or
 * arrays of arrays.
 */
import ndarray from 'ndarray';
import { ScichainError } from './errors.ts';
import { arrayType, dtypeOf, type DType, type FloatArray } from './dtype.ts';

/**
 * A 2-D `ndarray` view of floats: the part of ndarray's `NdArray` that scichain reads and returns,
 * declared here so that TypeScript projects using scichain need no `@types/ndarray` (an
 * `NdArray<Float64Array>` of the `ndarray` package is one).
 */
export interface NdMatrix {
  readonly data: FloatArray;
  readonly shape: number[];
  readonly stride: number[];
  readonly offset: number;
  readonly size: number;
  readonly dimension: number;
  get(...index: number[]): number;
  set(...indexThenValue: number[]): number;
  index(...index: number[]): number;
}

/** What the API accepts as a matrix: a flat row-major typed array, or a 2-D ndarray view. */
export type MatrixInput = FloatArray | NdMatrix;

/** A row-major matrix over a typed array, as the kernels want it. */
export interface RowMajor {
  readonly data: FloatArray;
  readonly rows: number;
  readonly cols: number;
}

function isNdarray(x: MatrixInput): x is NdMatrix {
  return !ArrayBuffer.isView(x) && typeof (x as NdMatrix).shape === 'object';
}

/**
 * A matrix input as a row-major typed array of the wanted dtype with `cols` columns. Flat
 * arrays of the right dtype and contiguous row-major ndarray views are used as they are (no
 * copy); other strides or dtypes are copied once, which is why this runs when data is handed
 * over, never inside a training loop.
 */
export function toRowMajor(input: MatrixInput, cols: number, dtype: DType, what: string): RowMajor {
  if (isNdarray(input)) {
    const [rows, c] = input.shape;
    if (input.shape.length !== 2 || c !== cols) {
      throw new ScichainError(
        'ShapeMismatch',
        `${what} has shape [${input.shape.join(', ')}] but [n, ${cols}] is needed`,
      );
    }
    const data = input.data;
    if (!(data instanceof Float64Array || data instanceof Float32Array)) {
      throw new ScichainError(
        'InvalidArgument',
        `${what} must be backed by a Float64Array or Float32Array`,
      );
    }
    const contiguous = input.stride[1] === 1 && (input.stride[0] === cols || rows === 1);
    if (contiguous && dtypeOf(data) === dtype) {
      const start = input.offset;
      const view =
        start === 0 && data.length === rows * cols
          ? data
          : data.subarray(start, start + rows * cols);
      return { data: view, rows, cols };
    }
    const out = new (arrayType(dtype))(rows * cols);
    for (let r = 0; r < rows; r++)
      for (let k = 0; k < cols; k++) out[r * cols + k] = input.get(r, k);
    return { data: out, rows, cols };
  }
  if (!(input instanceof Float64Array || input instanceof Float32Array)) {
    throw new ScichainError(
      'InvalidArgument',
      `${what} must be a Float64Array, Float32Array or 2-D ndarray`,
    );
  }
  if (input.length % cols !== 0) {
    throw new ScichainError(
      'ShapeMismatch',
      `${what} has length ${input.length}, not a multiple of ${cols} columns`,
    );
  }
  const data = dtypeOf(input) === dtype ? input : arrayType(dtype).from(input);
  return { data, rows: input.length / cols, cols };
}

/** An ndarray view (no copy) of the first `rows × cols` entries of a row-major buffer. */
export function matrixView(data: FloatArray, rows: number, cols: number): NdMatrix {
  if (data.length < rows * cols) {
    throw new ScichainError(
      'ShapeMismatch',
      `buffer of length ${data.length} cannot hold a ${rows}×${cols} matrix`,
    );
  }
  return ndarray(data, [rows, cols]);
}
