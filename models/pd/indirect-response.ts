/**
 * Indirect-response models, types I–IV: the drug concentration c (`conc`, or the expression the
 * part is given) acts on the turnover of a response R (`turnover.ts`), on its production kin or
 * on its loss kout, through a hyperbolic inhibition I(c) = 1 − imax·c/(ic50 + c) or stimulation
 * S(c) = 1 + smax·c/(sc50 + c):
 *   type I   (inhibition of production):  response′ = kin·I(c) − kout·response
 *   type II  (inhibition of loss):        response′ = kin − kout·I(c)·response
 *   type III (stimulation of production): response′ = kin·S(c) − kout·response
 *   type IV  (stimulation of loss):       response′ = kin − kout·S(c)·response
 * Baseline R₀ = kin/kout (start there: `baselineState` in `turnover.ts`). The PK part comes
 * first (default one-compartment IV), so its compartments keep their CMT numbers and the
 * response is the last state.
 *
 * The four types are generated from one table (`TYPES` below: the rate acted on, and inhibition
 * or stimulation); each has typical values, a part and a model (`INDIRECT_RESPONSE_I_TYPICAL`,
 * `indirectResponseIPart`, `indirectResponseI`, and likewise II–IV).
 */
import type { ExpressionModel } from '../../src/expressions/expression-model.ts';
import { scalar } from '../../src/parameters/layout.ts';
import { oneCompartmentIvPart } from '../pk/one-compartment-iv.ts';
import {
  modelFromParts,
  positiveParameter,
  positiveParameters,
  type ModelPart,
  type PartParameters,
} from '../pk/model-part.ts';
import { TURNOVER_TYPICAL } from './turnover.ts';

/** How the drug changes the rate it acts on: its parameters and the factor it multiplies by. */
interface DrugAction<V extends Record<string, number>> {
  /** Typical values of the drug parameters. */
  readonly typical: V;
  readonly parameters: (values: V) => PartParameters;
  /** I(c) or S(c), the factor on kin or kout, given the parenthesised concentration `c`. */
  readonly factor: (c: string) => string;
}

/** Inhibition I(c): maximal inhibition imax ∈ (0, 1) (logistic transform), potency ic50. */
const INHIBITION: DrugAction<{ imax: number; ic50: number }> = {
  typical: { imax: 0.8, ic50: 2 },
  parameters: ({ imax, ic50 }) => ({
    imax: scalar(imax, { transform: [0, 1] }),
    ic50: positiveParameter(ic50),
  }),
  factor: (c) => `(1 - imax*${c}/(ic50 + ${c}))`,
};

/** Stimulation S(c): maximal stimulation smax, potency sc50. */
const STIMULATION: DrugAction<{ smax: number; sc50: number }> = {
  typical: { smax: 3, sc50: 2 },
  parameters: ({ smax, sc50 }) => positiveParameters({ smax, sc50 }),
  factor: (c) => `(1 + smax*${c}/(sc50 + ${c}))`,
};

/** The typical values, part and model of the type acting on `actsOn` with `drug`. */
function indirectResponseType<V extends Record<string, number>>(
  actsOn: 'production' | 'loss',
  drug: DrugAction<V>,
) {
  const typical = { ...TURNOVER_TYPICAL, ...drug.typical };
  /** The response as a part; `concentration` is the driving expression (default `conc`). */
  const part = (
    values: Partial<typeof TURNOVER_TYPICAL & V> = {},
    concentration = 'conc',
  ): ModelPart => {
    const all = { ...typical, ...values };
    const factor = drug.factor(`(${concentration})`);
    return {
      states: ['response'],
      parameters: {
        kin: positiveParameter(all.kin),
        kout: positiveParameter(all.kout),
        ...drug.parameters(all),
      },
      equations: {
        response:
          actsOn === 'production'
            ? `kin*${factor} - kout*response`
            : `kin - kout*${factor}*response`,
      },
    };
  };
  /** A PK part (default one-compartment IV) driving the response. */
  const model = (
    pk: ModelPart = oneCompartmentIvPart(),
    values: Partial<typeof TURNOVER_TYPICAL & V> = {},
    extra: PartParameters = {},
  ): ExpressionModel => modelFromParts([pk, part(values)], extra);
  return { typical, part, model };
}

/** The four types: the rate the drug acts on (production kin or loss kout), and how. */
const TYPES = {
  I: indirectResponseType('production', INHIBITION),
  II: indirectResponseType('loss', INHIBITION),
  III: indirectResponseType('production', STIMULATION),
  IV: indirectResponseType('loss', STIMULATION),
};

/** Type I (inhibition of production), typical values: kin, kout, imax ∈ (0, 1), ic50. */
export const INDIRECT_RESPONSE_I_TYPICAL = TYPES.I.typical;
/** Type I (inhibition of production) as a part, driven by `concentration` (default `conc`). */
export const indirectResponseIPart = TYPES.I.part;
/** Type I (inhibition of production) driven by a PK part (default one-compartment IV). */
export const indirectResponseI = TYPES.I.model;

/** Type II (inhibition of loss), typical values: kin, kout, imax ∈ (0, 1), ic50. */
export const INDIRECT_RESPONSE_II_TYPICAL = TYPES.II.typical;
/** Type II (inhibition of loss) as a part, driven by `concentration` (default `conc`). */
export const indirectResponseIIPart = TYPES.II.part;
/** Type II (inhibition of loss) driven by a PK part (default one-compartment IV). */
export const indirectResponseII = TYPES.II.model;

/** Type III (stimulation of production), typical values: kin, kout, smax, sc50. */
export const INDIRECT_RESPONSE_III_TYPICAL = TYPES.III.typical;
/** Type III (stimulation of production) as a part, driven by `concentration` (default `conc`). */
export const indirectResponseIIIPart = TYPES.III.part;
/** Type III (stimulation of production) driven by a PK part (default one-compartment IV). */
export const indirectResponseIII = TYPES.III.model;

/** Type IV (stimulation of loss), typical values: kin, kout, smax, sc50. */
export const INDIRECT_RESPONSE_IV_TYPICAL = TYPES.IV.typical;
/** Type IV (stimulation of loss) as a part, driven by `concentration` (default `conc`). */
export const indirectResponseIVPart = TYPES.IV.part;
/** Type IV (stimulation of loss) driven by a PK part (default one-compartment IV). */
export const indirectResponseIV = TYPES.IV.model;
