/**
 * How an ODE model receives infusions: through parameters. A compartment (state) `central`
 * that can be infused has a parameter `rate_central` in its right-hand side
 * (`central: 'rate_central - cl/v*central'`); the dose events of `scheduleEvents` write the
 * total infusion rate into that entry of the solver's p when infusions start and stop. The
 * parameter must hold its natural value (no transform) and is best declared frozen
 * (`rate_central: scalar(0, { frozen: true })`) so that optimizers leave it alone.
 *
 * Why parameters: `solve` copies p and lets timed events change it, every step lands on the
 * switch times, and the right-hand side needs no knowledge of the schedule. (The adjoint and
 * forward-sensitivity methods require events that leave p alone; infusions there need the
 * rate as an input of time instead — see `solvers/sensitivity/events.ts`.)
 */
import { ScichainError } from '../../core/errors.ts';
import type { ParameterLayout } from '../../parameters/layout.ts';

/** Prefix of the infusion-rate parameter of a state: `rate_<state>`. */
export const INFUSION_RATE_PREFIX = 'rate_';

/** Where infusion rates go: CMT number (1-based) → index in p. */
export type RateParameters = Readonly<Record<number, number>>;

/** What {@link infusionRateParameters} reads from a model. */
export interface ModelWithLayout {
  readonly stateNames: readonly string[];
  readonly layout?: ParameterLayout;
}

/**
 * The infusion-rate entries of a model's p by the `rate_<state>` convention: CMT k (state
 * k − 1) maps to the offset of parameter `rate_<name of state k − 1>` when there is one.
 */
export function infusionRateParameters(model: ModelWithLayout): RateParameters {
  const layout = model.layout;
  if (layout === undefined) {
    throw new ScichainError(
      'InvalidArgument',
      'the model has no parameter layout: pass the rate parameters (CMT → index in p) explicitly',
    );
  }
  const out: Record<number, number> = {};
  model.stateNames.forEach((state, i) => {
    const name = `${INFUSION_RATE_PREFIX}${state}`;
    const block = layout.blocks.find((b) => b.name === name);
    if (block === undefined) return;
    if (block.kind !== 'scalar' || block.transform.json.type !== 'identity') {
      throw new ScichainError(
        'InvalidArgument',
        `infusion-rate parameter '${name}' must be a scalar without transform (events write the rate itself into p)`,
      );
    }
    out[i + 1] = block.offset;
  });
  return out;
}
