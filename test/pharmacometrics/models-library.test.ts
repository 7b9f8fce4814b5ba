// The PK/PD model library (models/pk, models/pd): states in NONMEM compartment order, the
// field's parameter names and transforms, infusion inputs, and right-hand sides / effects equal
// to their formulas. (Their solutions under dosing are checked against the closed forms in
// dosing-ode.test.ts.)
import { describe, expect, it } from 'vitest';
import { effectObservation, emaxModel } from '../../models/pd/emax.ts';
import {
  indirectResponseI,
  indirectResponseII,
  indirectResponseIII,
  indirectResponseIV,
} from '../../models/pd/indirect-response.ts';
import { sigmoidEmaxModel } from '../../models/pd/sigmoid-emax.ts';
import { baselineState, turnoverModel } from '../../models/pd/turnover.ts';
import { combineParts } from '../../models/pk/model-part.ts';
import { oneCompartmentIv } from '../../models/pk/one-compartment-iv.ts';
import {
  oneCompartmentOral,
  oneCompartmentOralPart,
} from '../../models/pk/one-compartment-oral.ts';
import { threeCompartmentIv } from '../../models/pk/three-compartment-iv.ts';
import { twoCompartmentIv } from '../../models/pk/two-compartment-iv.ts';
import {
  twoCompartmentOral,
  twoCompartmentOralPart,
} from '../../models/pk/two-compartment-oral.ts';
import type { ExpressionModel } from '../../src/expressions/expression-model.ts';
import { infusionRateParameters } from '../../src/pharmacometrics/dosing/infusion-inputs.ts';

/** f(u) with p at the model's initial values plus `set` (natural values). */
function rhs(model: ExpressionModel, u: number[], set: Record<string, number> = {}): Float64Array {
  const p = model.initialParameters();
  for (const [k, v] of Object.entries(set)) model.layout.set(p, k, v);
  const du = new Float64Array(model.stateCount);
  model.f(du, Float64Array.from(u), p, 0);
  return du;
}

function transformOf(model: ExpressionModel, name: string): string {
  return model.layout.block(name).transform.json.type;
}

describe('PK models', () => {
  const pk: [string, ExpressionModel, string[], string[], Record<number, string>][] = [
    ['one-compartment IV', oneCompartmentIv(), ['central'], ['cl', 'v'], { 1: 'rate_central' }],
    [
      'one-compartment oral',
      oneCompartmentOral(),
      ['depot', 'central'],
      ['ka', 'cl', 'v'],
      { 1: 'rate_depot', 2: 'rate_central' },
    ],
    [
      'two-compartment IV',
      twoCompartmentIv(),
      ['central', 'peripheral'],
      ['cl', 'v', 'q', 'v2'],
      { 1: 'rate_central' },
    ],
    [
      'two-compartment oral',
      twoCompartmentOral(),
      ['depot', 'central', 'peripheral'],
      ['ka', 'cl', 'v', 'q', 'v2'],
      { 1: 'rate_depot', 2: 'rate_central' },
    ],
    [
      'three-compartment IV',
      threeCompartmentIv(),
      ['central', 'peripheral1', 'peripheral2'],
      ['cl', 'v', 'q', 'v2', 'q3', 'v3'],
      { 1: 'rate_central' },
    ],
  ];
  for (const [name, model, states, positive, rates] of pk) {
    it(`${name}: states, log-transformed parameters, frozen untransformed infusion inputs`, () => {
      expect(model.stateNames).toEqual(states);
      for (const p of positive) expect(transformOf(model, p)).toBe('log');
      const mapping = infusionRateParameters(model);
      expect(Object.keys(mapping).map(Number)).toEqual(Object.keys(rates).map(Number));
      for (const [cmt, param] of Object.entries(rates)) {
        expect(mapping[Number(cmt)]).toBe(model.offset(param));
        expect(transformOf(model, param)).toBe('identity');
        expect(model.layout.isFrozen(param)).toBe(true);
      }
    });
  }

  it('right-hand sides equal the mass balances', () => {
    const [cl, v, q, v2, q3, v3, ka] = [3, 20, 5, 50, 1.5, 150, 0.8];
    const c = 60 / v;
    expect(Array.from(rhs(oneCompartmentIv(), [60], { cl, v, rate_central: 7 }))).toEqual([
      7 - cl * c,
    ]);
    const oral = rhs(oneCompartmentOral(), [40, 60], { ka, cl, v, rate_depot: 2 });
    expect(oral[0]).toBeCloseTo(2 - ka * 40, 14);
    expect(oral[1]).toBeCloseTo(ka * 40 - cl * c, 14);
    const two = rhs(twoCompartmentOral(), [40, 60, 90], { ka, cl, v, q, v2 });
    expect(two[1]).toBeCloseTo(ka * 40 - cl * c - q * (c - 90 / v2), 13);
    expect(two[2]).toBeCloseTo(q * (c - 90 / v2), 13);
    const three = rhs(threeCompartmentIv(), [60, 90, 300], { cl, v, q, v2, q3, v3 });
    expect(three[0]).toBeCloseTo(-cl * c - q * (c - 90 / v2) - q3 * (c - 300 / v3), 13);
    expect(three[1]).toBeCloseTo(q * (c - 90 / v2), 13);
    expect(three[2]).toBeCloseTo(q3 * (c - 300 / v3), 13);
    // Mass balance: without elimination or input the total is conserved.
    const closed = rhs(twoCompartmentIv(), [60, 90], { cl: 1e-300 });
    expect(closed[0] + closed[1]).toBeCloseTo(0, 14);
  });

  it('extra parameters are appended to the layout; values override the typical ones', () => {
    const model = twoCompartmentOral({ ka: 2 }, { sigma: 0.1 });
    const p = model.initialParameters();
    expect(model.layout.get(p, 'ka')).toBeCloseTo(2, 15);
    expect(model.layout.blocks.at(-1)?.name).toBe('sigma');
  });
});

describe('PD models', () => {
  it('Emax and sigmoid Emax: the effect observation equals the formula', () => {
    const emax = emaxModel(oneCompartmentOralPart(), { e0: 5, emax: 40, ec50: 3 });
    const p = emax.initialParameters();
    const obs = effectObservation(emax);
    const out = new Float64Array(2);
    obs.value(out, Float64Array.from([0, 60]), p, 0); // conc = 60/30 = 2
    expect(out[0]).toBeCloseTo(2, 14);
    expect(out[1]).toBeCloseTo(5 + (40 * 2) / (3 + 2), 13);
    expect(obs.names).toEqual(['conc', 'effect']);

    const hill = sigmoidEmaxModel(undefined, { e0: 5, emax: 40, ec50: 3, gamma: 2.5 });
    const q = hill.initialParameters();
    effectObservation(hill).value(out, Float64Array.from([60]), q, 0);
    expect(out[1]).toBeCloseTo(5 + (40 * 2 ** 2.5) / (3 ** 2.5 + 2 ** 2.5), 13);
    expect(transformOf(hill, 'gamma')).toBe('log');
    expect(transformOf(hill, 'e0')).toBe('identity');
  });

  it('indirect responses I–IV: at rest at the baseline without drug, and their drug terms', () => {
    const conc = 2; // central 60, v 30
    const models: [ExpressionModel, (r: number) => number][] = [
      [indirectResponseI(), (r) => 10 * (1 - (0.8 * conc) / (2 + conc)) - 0.5 * r],
      [indirectResponseII(), (r) => 10 - 0.5 * (1 - (0.8 * conc) / (2 + conc)) * r],
      [indirectResponseIII(), (r) => 10 * (1 + (3 * conc) / (2 + conc)) - 0.5 * r],
      [indirectResponseIV(), (r) => 10 - 0.5 * (1 + (3 * conc) / (2 + conc)) * r],
    ];
    for (const [model, formula] of models) {
      expect(model.stateNames).toEqual(['central', 'response']);
      const p = model.initialParameters();
      const baseline = baselineState(model, p);
      expect(baseline[1]).toBeCloseTo(20, 13);
      const atRest = new Float64Array(2);
      model.f(atRest, baseline, p, 0);
      expect(Math.abs(atRest[1])).toBeLessThan(1e-14);
      const du = new Float64Array(2);
      model.f(du, Float64Array.from([60, 17]), p, 0);
      expect(du[1]).toBeCloseTo(formula(17), 13);
    }
    expect(indirectResponseI().layout.block('imax').transform.json).toEqual({
      type: 'bounded',
      lower: 0,
      upper: 1,
    });
    expect(transformOf(indirectResponseIII(), 'smax')).toBe('log');
    // Any PK part can drive the response; the PK compartments keep their CMT numbers.
    expect(indirectResponseII(twoCompartmentOralPart()).stateNames).toEqual([
      'depot',
      'central',
      'peripheral',
      'response',
    ]);
  });

  it('turnover: dosing the endogenous substance, baseline kin/kout', () => {
    const model = turnoverModel({ kin: 6, kout: 0.3 });
    const p = model.initialParameters();
    expect(baselineState(model, p)[0]).toBeCloseTo(20, 13);
    expect(infusionRateParameters(model)).toEqual({ 1: model.offset('rate_response') });
    expect(rhs(model, [10], { rate_response: 2 })[0]).toBeCloseTo(2 + 6 - 0.3 * 10, 14);
  });

  it('combining parts refuses duplicate names', () => {
    expect(() => combineParts(oneCompartmentOralPart(), oneCompartmentOralPart())).toThrow(
      /two model parts define the state 'depot'/,
    );
  });
});
