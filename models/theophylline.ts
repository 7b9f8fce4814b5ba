/**
 * The Theophylline population model of nlmixr2's tutorial: one-compartment oral absorption,
 * ka = exp(tka + η_ka), cl = exp(tcl + η_cl), v = exp(tv + η_v), diagonal Ω, additive error;
 * started from tka 0.45, tcl 1, tv 3.45, ω² 0.6/0.3/0.1, sd 0.7 — and its subjects predicted by
 * the library's closed form. Reads no file, so it runs in browsers too (the demo).
 */
import { ClosedFormOneCompartmentOral } from '../src/pharmacometrics/closed-form/one-compartment.ts';
import { closedFormSubjects } from '../src/pharmacometrics/estimation/closed-form-subjects.ts';
import {
  PopulationModel,
  type PopulationSubject,
} from '../src/pharmacometrics/estimation/population-model.ts';
import type { SubjectRecords } from '../src/pharmacometrics/records.ts';

/** The population model (θ on log scale, as nlmixr2 writes it). */
export function theophyllineModel(): PopulationModel {
  return new PopulationModel({
    theta: { tka: 0.45, tcl: 1, tv: 3.45 },
    omega: { diagonal: { ka: 0.6, cl: 0.3, v: 0.1 } },
    residual: { type: 'additive', additive: 0.7 },
    individualNames: ['ka', 'cl', 'v'],
    individual: (theta, eta, _covariates, phi) => {
      phi[0] = Math.exp(theta.tka + eta.ka);
      phi[1] = Math.exp(theta.tcl + eta.cl);
      phi[2] = Math.exp(theta.tv + eta.v);
    },
  });
}

/** Subjects whose concentrations the one-compartment oral closed form predicts from φ = (ka, cl, v). */
export function theophyllineClosedFormSubjects(
  records: readonly SubjectRecords[],
): PopulationSubject[] {
  return closedFormSubjects(records, {
    create: () => new ClosedFormOneCompartmentOral({ ka: 1, cl: 1, v: 1 }),
    setParameters: (model, phi) => model.setParameters({ ka: phi[0], cl: phi[1], v: phi[2] }),
  });
}
