/**
 * One-compartment PK whose absorption is learned: the dose leaves the depot with a rate that is
 * a network of the time since the dose, on the subject's own time scale mtt,
 *
 *   ka(t) = exp(nn(log(1 + t/mtt))) / mtt,
 *   depot′ = −ka(t)·depot,   central′ = ka(t)·depot − cl·conc,   conc = central/v.
 *
 * A time-varying first-order rate is what any absorption-time distribution is (its hazard):
 * first-order absorption is a constant ka, Weibull absorption a power of t, a transit chain an
 * Erlang hazard — so the network can learn the shape, and a random effect on mtt stretches it
 * per subject. With the network's output at 0 (the initial last layer is zero) this is
 * first-order absorption with ka = 1/mtt.
 *
 * t is the time since the dose: the model is for single-dose data (with repeated doses, give
 * each dose its own depot). CMT 1 = depot, CMT 2 = central.
 */
import { expressionModel, type ExpressionModel } from '../../src/expressions/expression-model.ts';
import { chain } from '../../src/nn/chain.ts';
import { dense } from '../../src/nn/dense.ts';
import { positiveParameters } from './model-part.ts';

/** Typical values (hours, litres, mg). */
export const NEURAL_ABSORPTION_TYPICAL = { mtt: 1, cl: 4, v: 30 };

/** The model; `hidden` tanh units in one hidden layer (default 6). */
export function neuralAbsorption(
  options: { hidden?: number; values?: Partial<typeof NEURAL_ABSORPTION_TYPICAL> } = {},
): ExpressionModel {
  const { mtt, cl, v } = { ...NEURAL_ABSORPTION_TYPICAL, ...options.values };
  return expressionModel({
    states: ['depot', 'central'],
    parameters: positiveParameters({ mtt, cl, v }),
    terms: {
      absorption: chain(
        1,
        dense(options.hidden ?? 6, 'tanh'),
        dense(1, 'identity', { init: 'zeros' }),
      ),
    },
    definitions: {
      ka: 'exp(absorption(log(1 + t/mtt))[1]) / mtt',
      conc: 'central/v',
    },
    equations: { depot: '-ka*depot', central: 'ka*depot - cl*conc' },
  });
}
