/**
 * The Theophylline population model of nlmixr2's tutorial, as scichain data: one-compartment
 * oral absorption, ka = exp(tka + η_ka), cl = exp(tcl + η_cl), v = exp(tv + η_v), diagonal Ω,
 * additive error; started from tka 0.45, tcl 1, tv 3.45, ω² 0.6/0.3/0.1, sd 0.7. Predictions
 * by the closed form (superposition of single oral doses) or by solving the ODE with dose
 * events — the two paths must give the same fit.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  bolus,
  odeProblem,
  stateSensitivities,
  PopulationModel,
  readNonmemData,
  solve,
  type PopulationSubject,
  type SubjectRecords,
} from '../src/index.ts';
import { oneCompartmentOral } from '../models/one-compartment-oral.ts';

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

/** Concentration after oral doses (amount, time) by superposition: φ = (ka, cl, v). */
function closedForm(doses: readonly { time: number; amount: number }[], times: Float64Array) {
  return (phi: Float64Array, f: Float64Array): void => {
    const [ka, cl, v] = phi;
    const k = cl / v;
    f.fill(0);
    for (const dose of doses) {
      const scale = (dose.amount * ka) / (v * (ka - k));
      for (let j = 0; j < times.length; j++) {
        const t = times[j] - dose.time;
        if (t > 0) f[j] += scale * (Math.exp(-k * t) - Math.exp(-ka * t));
      }
    }
  };
}

/** The same by solving the ODE (depot, central) with the doses as events, Vern7 at 1e-10. */
function odePath(doses: readonly { time: number; amount: number }[], times: Float64Array) {
  const model = oneCompartmentOral();
  const p = model.initialParameters();
  const ka = model.offset('ka');
  const cl = model.offset('cl');
  const v = model.offset('v');
  const events = doses.map((d) => ({
    time: d.time,
    apply: (u: Float64Array) => void (u[0] += d.amount),
  }));
  const end = times[times.length - 1];
  return (phi: Float64Array, f: Float64Array): void => {
    // The model's parameters are log-transformed: p holds log ka, log cl, log v.
    p[ka] = Math.log(phi[0]);
    p[cl] = Math.log(phi[1]);
    p[v] = Math.log(phi[2]);
    const solution = solve(odeProblem({ f: model.f, u0: [0, 0], tspan: [0, end], p }), 'Vern7', {
      rtol: 1e-10,
      atol: 1e-10,
      saveat: times,
      events,
    });
    for (let j = 0; j < times.length; j++) f[j] = solution.u[2 * j + 1] / phi[2];
  };
}

/**
 * The ODE path's predictions with ∂f/∂φ by forward sensitivities: one augmented solve gives
 * central(t) and ∂central/∂(log ka, log cl, log v); f = central/v, so
 * ∂f/∂φ_a = (∂central/∂log φ_a)/(φ_a·v) − [a = v]·central/v².
 */
function odeSensitivityPath(
  doses: readonly { time: number; amount: number }[],
  times: Float64Array,
) {
  const model = oneCompartmentOral();
  const p = model.initialParameters();
  const offsets = [model.offset('ka'), model.offset('cl'), model.offset('v')];
  const events = doses.map((d) => bolus(d.time, 0, d.amount));
  const np = p.length;
  return (phi: Float64Array, f: Float64Array, jacobian: Float64Array): void => {
    offsets.forEach((o, a) => (p[o] = Math.log(phi[a])));
    const { u, S } = stateSensitivities(model, p, {
      u0: [0, 0],
      t0: 0,
      times,
      events,
      method: 'Vern7',
      rtol: 1e-10,
      atol: 1e-10,
    });
    const v = phi[2];
    for (let j = 0; j < times.length; j++) {
      const central = u[2 * j + 1];
      f[j] = central / v;
      offsets.forEach((o, a) => {
        jacobian[j * 3 + a] = S[(2 * j + 1) * np + o] / (phi[a] * v);
      });
      jacobian[j * 3 + 2] -= central / (v * v);
    }
  };
}

/** Subjects from NONMEM records with the chosen prediction path. */
export function theophyllineSubjects(
  path: 'closed-form' | 'ode' = 'closed-form',
  records: readonly SubjectRecords[] = readNonmemData(readFileSync(THEOPHYLLINE_CSV, 'utf8'), {
    compartments: 2,
  }).subjects,
): PopulationSubject[] {
  return records.map((s) => {
    const times = Float64Array.from(s.observations, (o) => o.time);
    const doses = s.doses.map((d) => ({ time: d.time, amount: d.amount }));
    return {
      id: s.id,
      times,
      observations: Float64Array.from(s.observations, (o) => o.dv),
      covariates: s.covariates,
      predict: path === 'ode' ? odePath(doses, times) : closedForm(doses, times),
      ...(path === 'ode' ? { predictWithJacobian: odeSensitivityPath(doses, times) } : {}),
    };
  });
}
