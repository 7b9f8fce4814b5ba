/**
 * `scichain/nn`: small networks and what they are made of — layers with in-place pullbacks,
 * one flat parameter vector θ with named blocks and transforms, seeded random numbers, element
 * types, losses, and the WebAssembly kernel choice. Nothing here needs the file system, mathjs or
 * Plotly, so a browser page that imports only this entry stays small.
 *
 * @module scichain/nn
 */

// Errors
/** Error class and categories raised by scichain. */
export { ScichainError, type ErrorCode } from '../core/errors.ts';

// Element types, memory and data
/** Element types and buffers. */
export { type DType, type FloatArray, dtypeOf } from '../core/dtype.ts';
/** The allocator every hot buffer goes through. */
export { type Allocator, heapAllocator } from '../core/allocator.ts';
/** ndarray interop for 2-D data. */
export {
  type MatrixInput,
  type NdMatrix,
  type RowMajor,
  toRowMajor,
  matrixView,
} from '../core/matrix.ts';

// Randomness
/** Seeded random numbers (same seed, same bits). */
export { Rng, type RngState } from '../core/rng.ts';

// Parameters
/** One first-class parameter vector: named blocks, views, transforms, freezing. */
export {
  ParameterLayout,
  parameters,
  scalar,
  vector,
  type Block,
  type BlockSpec,
  type ScalarBlockSpec,
  type VectorBlockSpec,
  type BlockOptions,
  type Constraint,
  type VectorInit,
} from '../parameters/layout.ts';
/** Transforms between θ's unconstrained values and natural parameter values. */
export {
  identity,
  positive,
  bounded,
  lowerBounded,
  type Transform,
  type TransformJson,
} from '../parameters/transforms.ts';
/** JSON form of θ (files on disk: `scichain/node`). */
export {
  parametersToJson,
  parametersFromJson,
  type ParameterFile,
  type ParameterFileBlock,
  type LayoutForJson,
} from '../parameters/parameter-json.ts';
/** Numbers written to JSON exactly (negative zero as the string "-0"). */
export type { ExactNumber } from '../parameters/exact-numbers.ts';
/** What a layout tells optimizers: its frozen entries. */
export type { FrozenSource } from '../parameters/frozen-entries.ts';

// Layers
/** The layer protocol (forward, then in-place pullback). */
export type { Layer, LayerCache, LayerSpec, LayerPlan, CacheOptions } from './layer.ts';
export type {
  ParameterComponent,
  ParameterGroup,
  ParameterRole,
} from '../core/parameter-component.ts';
/** Chains of layers and their workspaces. */
export { chain, Chain, ChainWorkspace, type WorkspaceOptions } from './chain.ts';
/** Dense layers (PyTorch `nn.Linear` parameter order). */
export { dense, Dense, type DenseCache, type DenseOptions } from './dense.ts';
/** Element-wise activation layers. */
export { activation, Activation, type ActivationCache } from './activation-layer.ts';
/** Dropout (training only, seeded). */
export { dropout, Dropout, type DropoutCache } from './dropout.ts';
/** Activation functions by name. */
export { activationNames, type ActivationName } from './activations.ts';
/** Weight initialisers. */
export type { WeightInit, WeightInitName, WeightInitFunction } from './init.ts';
/** Batched evaluation of a model on worker threads (rows shared out, gradients summed). */
export { DataParallelModel, type DataParallelOptions } from '../training/data-parallel.ts';

// Kernels
/** Which kernels batched products use (WebAssembly SIMD or TypeScript) and from what size. */
export { type KernelChoice, WASM_MIN_MULTIPLY_ADDS } from './kernels/kernel-choice.ts';
/** Unchecked one-sample float64 entry points of a layer or chain (`chain.singleSample()`). */
export type { FusedChain } from './kernels/fused-chain.ts';
/** WebAssembly memory with a bump allocator, where WebAssembly kernels keep their buffers. */
export { Arena, type ArenaOptions, type WasmMemory, isArena } from '../wasm/arena.ts';
/** What the host's WebAssembly supports (SIMD, threads, shared memory). */
export { wasmFeatures, type WasmFeatures } from '../wasm/features.ts';

// Losses
/** The loss protocol; separable losses can be evaluated by shares of a batch's rows. */
export type { ElementwiseKind, Loss, SeparableLoss } from '../losses/loss.ts';
/** Regression losses (reduction in the name). */
export {
  sumSquaredError,
  meanSquaredError,
  sumAbsoluteError,
  meanAbsoluteError,
} from '../losses/regression.ts';
/** Classification loss on logits with integer labels. */
export { logitCrossEntropy, type Labels } from '../losses/cross-entropy.ts';
/** L1/L2 penalties on θ. */
export { l1Penalty, l2Penalty, type Penalty, type PenaltyOptions } from '../losses/penalties.ts';
