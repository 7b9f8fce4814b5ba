// Population simulation (seeded η and ε draws) and the visual predictive check built on it.
import { describe, expect, it } from 'vitest';
import {
  PopulationModel,
  Rng,
  simulatePopulation,
  visualPredictiveCheck,
} from '../../src/index.ts';
import { type PopulationSubject } from '../../src/pharmacometrics/index.ts';

const TIMES = [0.5, 1, 2, 4, 6, 8, 12, 24];

function design(count: number): PopulationSubject[] {
  return Array.from({ length: count }, (_, i) => ({
    id: String(i + 1),
    times: TIMES,
    observations: new Float64Array(TIMES.length),
    predict(phi: Float64Array, f: Float64Array) {
      for (let j = 0; j < TIMES.length; j++)
        f[j] = (100 / phi[1]) * Math.exp((-phi[0] / phi[1]) * TIMES[j]);
    },
  }));
}

function model(omega: number[][], sd: number): PopulationModel {
  return new PopulationModel({
    theta: { tcl: Math.log(2), tv: Math.log(20) },
    omega: { names: ['cl', 'v'], block: omega },
    residual: { type: 'proportional', proportional: sd },
    individualNames: ['cl', 'v'],
    individual: (theta, eta, _cov, phi) => {
      phi[0] = Math.exp(theta.tcl + eta.cl);
      phi[1] = Math.exp(theta.tv + eta.v);
    },
  });
}

describe('population simulation', () => {
  it('refuses a prediction that is not finite and a missing covariate, naming the subject', () => {
    const m = model(
      [
        [0.09, 0],
        [0, 0.04],
      ],
      0.1,
    );
    const subjects = design(3);
    const bad: PopulationSubject = {
      ...subjects[1],
      id: 'B7',
      predict: (_phi, f) => {
        f.fill(1);
        f[3] = NaN;
      },
    };
    expect(() => simulatePopulation(m, m.initial(), [subjects[0], bad], new Rng(1))).toThrow(
      /subject B7: the prediction at time 4 is NaN \(φ: cl = [\d.]+, v = [\d.]+, η: /,
    );
    const withCovariate = new PopulationModel({
      theta: { tcl: Math.log(2), tv: Math.log(20) },
      omega: {
        names: ['cl', 'v'],
        block: [
          [0.09, 0],
          [0, 0.04],
        ],
      },
      residual: { type: 'proportional', proportional: 0.1 },
      individual: { cl: 'exp(tcl + eta.cl) * constructor', v: 'exp(tv + eta.v)' },
    });
    // 'constructor' must not be found on Object.prototype.
    expect(() =>
      simulatePopulation(withCovariate, withCovariate.initial(), subjects, new Rng(1)),
    ).toThrow("subject 1 has no finite covariate 'constructor', which the individual model uses");
    const given = subjects.map((s) => ({ ...s, covariates: { constructor: 1 } }));
    const sim = simulatePopulation(withCovariate, withCovariate.initial(), given, new Rng(1));
    expect(sim[2].ipred.every(Number.isFinite)).toBe(true);
  });

  it('is seeded and draws η with covariance Ω and ε with the residual SD', () => {
    const m = model(
      [
        [0.09, 0.03],
        [0.03, 0.04],
      ],
      0.1,
    );
    const x = m.initial();
    const a = simulatePopulation(m, x, design(4000), new Rng(3));
    const b = simulatePopulation(m, x, design(4000), new Rng(3));
    expect(a[17].observations).toEqual(b[17].observations);
    let s11 = 0;
    let s12 = 0;
    let s22 = 0;
    let e2 = 0;
    let count = 0;
    for (const s of a) {
      s11 += s.eta[0] ** 2;
      s12 += s.eta[0] * s.eta[1];
      s22 += s.eta[1] ** 2;
      for (let j = 0; j < TIMES.length; j++) {
        e2 += ((s.observations[j] - s.ipred[j]) / s.ipred[j]) ** 2;
        count++;
      }
    }
    // Sampling SDs of the estimates: ~2 %–3 % of each entry at 4000 subjects.
    expect(s11 / a.length).toBeCloseTo(0.09, 2);
    expect(s12 / a.length).toBeCloseTo(0.03, 2);
    expect(s22 / a.length).toBeCloseTo(0.04, 2);
    expect(Math.sqrt(e2 / count)).toBeCloseTo(0.1, 2);
  });
});

describe('visual predictive check', () => {
  const truth = model(
    [
      [0.09, 0],
      [0, 0.04],
    ],
    0.1,
  );
  const data = simulatePopulation(truth, truth.initial(), design(60), new Rng(8)).map(
    (s, i): PopulationSubject => ({ ...design(60)[i], observations: s.observations }),
  );

  it('puts the observed percentiles inside the simulated intervals for the true model', () => {
    const vpc = visualPredictiveCheck(truth, truth.initial(), data, {
      replicates: 200,
      binEdges: [0, 0.75, 1.5, 3, 5, 7, 10, 18, 24],
    });
    expect(vpc.bins.length).toBe(8);
    let inside = 0;
    let total = 0;
    for (const bin of vpc.bins) {
      expect(bin.observedCount).toBe(60);
      bin.observed.forEach((o, i) => {
        total++;
        if (o >= bin.simulatedLow[i] && o <= bin.simulatedHigh[i]) inside++;
      });
    }
    expect(inside / total).toBeGreaterThanOrEqual(0.8);
  });

  it('shows a model whose variability is too small', () => {
    const narrow = model(
      [
        [0.01, 0],
        [0, 0.005],
      ],
      0.02,
    );
    const vpc = visualPredictiveCheck(narrow, narrow.initial(), data, {
      replicates: 100,
      binEdges: [0, 0.75, 1.5, 3, 5, 7, 10, 18, 24],
    });
    // The observed 5th and 95th percentiles fall outside the simulated intervals in most bins.
    let outside = 0;
    for (const bin of vpc.bins)
      for (const i of [0, 2])
        if (bin.observed[i] < bin.simulatedLow[i] || bin.observed[i] > bin.simulatedHigh[i])
          outside++;
    expect(outside).toBeGreaterThanOrEqual(12);
  });
});
