/**
 * One generated function for a whole small chain, for a single float64 sample — the network
 * term inside an ODE right-hand side, called hundreds of times per solve. The per-layer path
 * costs a polymorphic call, argument checks and a loop per layer; for a 2–5–5–5–2 network that
 * overhead is larger than its 70 multiply-adds. Here every weight index is a constant, every
 * activation is a local variable and the pullback is straight-line code, so V8 keeps the
 * values in registers.
 *
 * The chain is described as stages: affine maps (weights `out × in` row-major, then bias —
 * DESIGN.md's dense order) and element-wise activations (pasted from their descriptions in
 * `activations.ts`). Forward records every stage's values in a scratch array; the pullback reads
 * them back, so it must follow the matching forward with the same θ.
 */
import { activationSpec, compileKernel } from '../activations.ts';

/** A stage of a fused chain. */
export type FusedStage =
  | {
      readonly kind: 'affine';
      readonly inputSize: number;
      readonly outputSize: number;
      readonly bias: boolean;
      /** Offset of the stage's weights inside the chain's slice of θ. */
      readonly offset: number;
    }
  | { readonly kind: 'activation'; readonly name: string };

/**
 * Unchecked single-sample float64 entry points over one scratch record of their own, as a layer's
 * or chain's `singleSample()` returns them: no argument checks, and `vjp` must follow the
 * matching `forward` with the same θ.
 */
export interface FusedChain {
  /** y = chain(x) for one sample; records the stage values for {@link FusedChain.vjp}. */
  forward(theta: Float64Array, offset: number, x: Float64Array, y: Float64Array): void;
  /**
   * Pullback of the last forward: accumulates ȳᵀ∂y/∂θ into `grad[gradOffset …]` and writes x̄
   * unless `xBar` is null.
   */
  vjp(
    theta: Float64Array,
    offset: number,
    yBar: Float64Array,
    xBar: Float64Array | null,
    grad: Float64Array,
    gradOffset: number,
  ): void;
}

/**
 * Unrolling stops paying beyond this many weights in all; larger chains keep the per-layer
 * kernels, whose loops are then the better code. `npm run bench -- vjp` (layered/fused, forward
 * + pullback, one sample; medians of three runs): 2–5–5–5–2 (70 weights) 1.45× rbf and 2.13×
 * tanh; 2–8–8–2 (96) 0.86× (0.78–3.0× across runs); 2–10–10–2 (140) 0.87×; 2–16–16–2 (320)
 * 0.87×; from ~750 weights V8 no longer optimises the unrolled function (25× slower).
 */
export const FUSED_CHAIN_MAX_WEIGHTS = 80;

interface Source {
  readonly forward: string;
  readonly vjp: string;
  readonly scratchSize: number;
}

/** Generates forward and pullback source for the stages (values v{stage}_{i}, cotangents g…). */
function fusedSource(inputSize: number, stages: readonly FusedStage[]): Source {
  const widths = [inputSize];
  for (const s of stages) widths.push(s.kind === 'affine' ? s.outputSize : widths.at(-1)!);
  // Every stage value has a slot in the scratch record, stage by stage.
  const slots: number[] = [];
  let scratchSize = 0;
  for (const w of widths) {
    slots.push(scratchSize);
    scratchSize += w;
  }
  const v = (s: number, i: number): string => `v${s}_${i}`;
  const g = (s: number, i: number): string => `g${s}_${i}`;
  const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

  const fw: string[] = range(inputSize).map((i) => `const ${v(0, i)} = X[${i}];`);
  stages.forEach((stage, k) => {
    const s = k + 1;
    if (stage.kind === 'affine') {
      const { inputSize: m, outputSize: n, offset } = stage;
      for (const o of range(n)) {
        const terms = range(m).map((i) => `T[o + ${offset + o * m + i}] * ${v(s - 1, i)}`);
        if (stage.bias) terms.unshift(`T[o + ${offset + n * m + o}]`);
        fw.push(`const ${v(s, o)} = ${terms.join(' + ')};`);
      }
    } else {
      const spec = activationSpec(stage.name);
      for (const o of range(widths[s])) {
        fw.push(
          `let ${v(s, o)} = 0; { const z = ${v(s - 1, o)}; let y = 0; { ${spec.value} } ${v(s, o)} = y; }`,
        );
      }
    }
  });
  widths.forEach((w, s) => {
    for (const i of range(w)) fw.push(`S[${slots[s] + i}] = ${v(s, i)};`);
  });
  const last = stages.length;
  for (const i of range(widths[last])) fw.push(`Y[${i}] = ${v(last, i)};`);

  // Pullback: load the recorded values, then run the stages backwards.
  const bw: string[] = [];
  widths.forEach((w, s) => {
    for (const i of range(w)) bw.push(`const ${v(s, i)} = S[${slots[s] + i}];`);
  });
  for (const i of range(widths[last])) bw.push(`const ${g(last, i)} = YB[${i}];`);
  for (let k = stages.length - 1; k >= 0; k--) {
    const stage = stages[k];
    const s = k + 1;
    if (stage.kind === 'affine') {
      const { inputSize: m, outputSize: n, offset } = stage;
      for (const o of range(n)) {
        if (stage.bias) bw.push(`G[gOffset + ${offset + n * m + o}] += ${g(s, o)};`);
        for (const i of range(m))
          bw.push(`G[gOffset + ${offset + o * m + i}] += ${g(s, o)} * ${v(s - 1, i)};`);
      }
      for (const i of range(m)) {
        const terms = range(n).map((o) => `T[o + ${offset + o * m + i}] * ${g(s, o)}`);
        bw.push(`const ${g(s - 1, i)} = ${terms.join(' + ')};`);
      }
    } else {
      const spec = activationSpec(stage.name);
      for (const o of range(widths[s])) {
        bw.push(
          `let ${g(s - 1, o)} = 0; { const z = ${v(s - 1, o)}; const y = ${v(s, o)}; let d = 0; { ${spec.derivative} } ${g(s - 1, o)} = ${g(s, o)} * d; }`,
        );
      }
    }
  }
  bw.push(
    `if (XB !== null) { ${range(inputSize)
      .map((i) => `XB[${i}] = ${g(0, i)};`)
      .join(' ')} }`,
  );
  return { forward: fw.join('\n    '), vjp: bw.join('\n    '), scratchSize };
}

/** Whether the unrolled kernel takes these stages: at most `maxWeights` weights in all. */
export function fitsFusedChain(
  stages: readonly FusedStage[],
  maxWeights = FUSED_CHAIN_MAX_WEIGHTS,
): boolean {
  let weights = 0;
  for (const s of stages) if (s.kind === 'affine') weights += s.inputSize * s.outputSize;
  return weights <= maxWeights;
}

/**
 * Fused single-sample float64 kernels for a chain of affine and activation stages, or null when
 * the chain has more than `maxWeights` weights (default {@link FUSED_CHAIN_MAX_WEIGHTS}; the
 * benchmark raises it to show why larger chains are not fused). Each call returns a new
 * instance with its own scratch record (one per call site of a term).
 */
export function fusedChain(
  inputSize: number,
  stages: readonly FusedStage[],
  maxWeights = FUSED_CHAIN_MAX_WEIGHTS,
): FusedChain | null {
  if (!fitsFusedChain(stages, maxWeights)) return null;
  const source = fusedSource(inputSize, stages);
  const name = `fused_${inputSize}_${stages.map((s) => (s.kind === 'affine' ? s.outputSize : s.name)).join('_')}`;
  return compileKernel(
    `"use strict";
    const S = new Float64Array(${Math.max(source.scratchSize, 1)});
    return {
      forward: function ${name}_forward(T, o, X, Y) {
    ${source.forward}
      },
      vjp: function ${name}_vjp(T, o, YB, XB, G, gOffset) {
    ${source.vjp}
      },
    };`,
  ) as FusedChain;
}
