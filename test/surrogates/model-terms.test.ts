// Fourier, Chebyshev and network terms together inside one expression model: the generated VJP
// against finite differences, and every sensitivity method's gradient of a loss over the
// solution (all three kinds of coefficients in one p) against finite differences.
import { describe, expect, it } from 'vitest';
import {
  bolus,
  chain,
  chebyshev,
  checkVjp,
  dense,
  expressionModel,
  fourier,
  scalar,
  type OdeObjectiveSpec,
} from '../../src/index.ts';
import { checkSensitivities } from '../helpers/sensitivity-check.ts';

/** Indirect response with a circadian production rate, drug effect from a PK compartment. */
function circadianModel() {
  return expressionModel({
    states: ['central', 'response'],
    parameters: {
      k: scalar(0.3, { transform: 'positive' }),
      kin: scalar(2, { transform: 'positive' }),
      kout: scalar(0.5, { transform: 'positive' }),
    },
    terms: {
      rhythm: fourier({ harmonics: 2, period: 24, inputs: 1 }),
      effect: chebyshev({ degree: 4, domain: [0, 10], inputs: 1 }),
      correction: chain(1, dense(3, 'tanh'), dense(1)),
    },
    equations: {
      central: '-k*central',
      response:
        'kin*(1 + rhythm(t)) - kout*(1 + effect(central) + 0.1*correction(central))*response',
    },
  });
}

describe('surrogate terms inside models', () => {
  it('have generated VJPs that match finite differences', () => {
    const model = circadianModel();
    const p = model.initialParameters(5);
    for (const t of [0, 3.7, 30]) {
      // central = 1.5: the hidden tanh units are not saturated, so no entry is at rounding level.
      const check = checkVjp(model, [1.5, 3.2], p, t);
      expect(check.maxRelativeError, check.worst).toBeLessThan(1e-6);
    }
  });

  it('train together: every sensitivity method agrees with finite differences', () => {
    const model = circadianModel();
    const p = model.initialParameters(2);
    const times = [1, 2, 4, 6, 9, 12, 16, 20, 24, 30, 36, 48];
    const observed = [4.1, 3.6, 3.1, 3.0, 3.2, 3.9, 4.6, 4.9, 4.4, 3.9, 3.8, 4.2];
    const spec: OdeObjectiveSpec = {
      model,
      u0: [0, 4],
      data: { times, values: observed },
      observe: model.observation({ r: 'response' }),
      events: [bolus(0, 0, 8), bolus(24, 0, 8)],
      method: 'DP5',
      rtol: 1e-10,
      atol: 1e-10,
    };
    checkSensitivities(spec, p);
  });
});
