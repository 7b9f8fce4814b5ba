/**
 * What owns a run of the one flat parameter vector θ: a layer, a chain, a surrogate, a
 * mechanistic model, a layout. Layers hold no parameters (Lux.jl's rule): they are told where
 * their entries start in θ and initialise them from a seeded generator.
 */
import type { FloatArray } from './dtype.ts';
import type { Rng } from './rng.ts';

/** Role of a parameter entry, for penalties that treat weights and biases differently. */
export type ParameterRole = 'weight' | 'bias' | 'parameter';

/** A named run of parameters inside a component (for JSON files, reports and masks). */
export interface ParameterGroup {
  /** Name relative to the component, e.g. `layer1.weight`. */
  readonly name: string;
  /** Offset relative to the component's first parameter. */
  readonly offset: number;
  readonly size: number;
  /** Shape for display, e.g. `[32, 4]` for a 32×4 weight matrix. */
  readonly shape: readonly number[];
  readonly role: ParameterRole;
}

/** Anything that owns a run of θ: a layer, a chain, a surrogate, a mechanistic model. */
export interface ParameterComponent {
  /** How many entries of θ the component uses. */
  readonly paramCount: number;
  /** Seeded initialisation of `theta[offset … offset + paramCount)`. */
  init(theta: FloatArray, offset: number, rng: Rng): void;
  /** Named groups inside the component (optional). */
  parameterGroups?(): readonly ParameterGroup[];
}
