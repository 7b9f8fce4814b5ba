/**
 * The Theophylline population model of nlmixr2's tutorial, as scichain data: one-compartment
 * oral absorption, ka = exp(tka + η_ka), cl = exp(tcl + η_cl), v = exp(tv + η_v), diagonal Ω,
 * additive error; started from tka 0.45, tcl 1, tv 3.45, ω² 0.6/0.3/0.1, sd 0.7. Predictions
 * by the closed form (superposition of single oral doses) or by solving the ODE with dose
 * events — the two paths must give the same fit.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { odeSubjects, PopulationModel, readNonmemData } from '../src/index.ts';
import { type PopulationSubject, type SubjectRecords } from '../src/pharmacometrics/index.ts';
import { oneCompartmentOral } from '../models/pk/one-compartment-oral.ts';
import { theophyllineClosedFormSubjects, theophyllineModel } from '../models/theophylline.ts';

export { theophyllineModel };

/** The data file (12 subjects, 132 observations). */
export const THEOPHYLLINE_CSV = fileURLToPath(new URL('./data/theoph.csv', import.meta.url));

/** nlmixr2's published FOCEI results for this model and data. */
export const NLMIXR2_THEOPHYLLINE = {
  objective: 116.8044,
  aic: 373.4042,
  bic: 393.5838,
  tka: 0.464,
  tcl: 1.01,
  tv: 3.46,
  addSd: 0.693,
  /** Between-subject CV% = 100·√(exp(ω²) − 1). */
  cv: { ka: 70.6, cl: 26.8, v: 13.9 },
};

/**
 * The model and subjects for a worker thread of a threaded objective or fit: pass
 * `{ setup: THEOPHYLLINE_SETUP, args: { path } }` as the `threads` option.
 */
export function theophyllineSetup(args: { path?: 'closed-form' | 'ode' } = {}): {
  model: PopulationModel;
  subjects: PopulationSubject[];
} {
  return { model: theophyllineModel(), subjects: theophyllineSubjects(args.path) };
}

/** Where {@link theophyllineSetup} lives, for the threads option. */
export const THEOPHYLLINE_SETUP = { url: import.meta.url, export: 'theophyllineSetup' };

/** Subjects from NONMEM records with the chosen prediction path. */
export function theophyllineSubjects(
  path: 'closed-form' | 'ode' = 'closed-form',
  records: readonly SubjectRecords[] = readNonmemData(readFileSync(THEOPHYLLINE_CSV, 'utf8'), {
    compartments: 2,
  }).subjects,
): PopulationSubject[] {
  if (path === 'ode') {
    // Depot and central with the doses as events (Vern7, 1e-10); ∂f/∂φ by forward sensitivities.
    const model = oneCompartmentOral();
    return odeSubjects(records, {
      model,
      parameters: ['ka', 'cl', 'v'],
      observe: model.observation({ conc: 'central/v' }),
    });
  }
  // The library's closed form (superposition of the oral doses), one model per subject.
  return theophyllineClosedFormSubjects(records);
}
