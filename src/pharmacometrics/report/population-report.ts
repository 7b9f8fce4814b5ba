/**
 * The diagnostics a pharmacometrician expects from a population fit, as report sections:
 * objective and information criteria, the parameter table with %RSE and shrinkage, observations
 * against PRED and IPRED, CWRES against time and PRED, individual fits, η against normal
 * quantiles, and the visual predictive check.
 */
import type { Report, Trace } from '../../report/report.ts';
import type { PopulationFit } from '../estimation/fit-population.ts';
import type { PopulationSubject } from '../estimation/population-model.ts';
import type { Vpc } from '../diagnostics/vpc.ts';

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

/** Φ⁻¹(p) (Acklam's rational approximation, |error| < 1.2e-9): for normal quantile plots. */
function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
    -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    );
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/** Adds the fit's tables and diagnostic charts to `report`. */
export function addPopulationSections(
  report: Report,
  fit: PopulationFit,
  subjects: readonly PopulationSubject[],
  vpc?: Vpc,
): Report {
  report.heading(`${fit.method} fit`);
  report.table({
    columns: ['quantity', 'value'],
    rows: [
      ['objective (−2LL without N·ln 2π, NONMEM convention)', fit.objective.toFixed(4)],
      ['−2LL (with N·ln 2π)', fit.minus2LogLikelihood.toFixed(4)],
      ['AIC = −2LL + 2k', fit.aic.toFixed(4)],
      ['BIC = −2LL + k·ln N', fit.bic.toFixed(4)],
      ['observations N, estimated parameters k', `${fit.observationCount}, ${fit.parameterCount}`],
      ['outer iterations, objective evaluations', `${fit.iterations}, ${fit.evaluations}`],
      ['stop', fit.stopMessage],
      [
        'covariance step',
        fit.covariance.status === 'ok'
          ? `ok (condition number ${fit.covariance.conditionNumber.toPrecision(3)})`
          : `${fit.covariance.status}: ${fit.covariance.reason}`,
      ],
      ['ε shrinkage (1 − √mean IWRES²)', `${(100 * fit.epsilonShrinkage).toFixed(1)} %`],
      ['time, s', fit.seconds.toFixed(2)],
    ],
  });
  // What the fit found questionable, before the numbers it qualifies.
  if (fit.warnings.length > 0)
    report.table({
      caption: 'Warnings',
      columns: ['warning'],
      rows: fit.warnings.map((w) => [w]),
    });
  const q = fit.model.q;
  report.table({
    caption: 'Estimates (θ as parameterised; ω² and residual parameters on natural scales)',
    columns: ['parameter', 'estimate', 'SE', '%RSE', 'SE (sandwich)', 'shrinkage'],
    rows: fit.estimates.map((e) => {
      const k = fit.model.etaNames.findIndex((name) => e.name === `ω²(${name})`);
      return [
        e.name,
        e.value.toPrecision(4),
        Number.isFinite(e.se) ? e.se.toPrecision(3) : '—',
        Number.isFinite(e.rse) ? e.rse.toFixed(1) : '—',
        Number.isFinite(e.seSandwich) ? e.seSandwich.toPrecision(3) : '—',
        k >= 0 ? `${(100 * fit.etaShrinkage[k]).toFixed(1)} %` : '',
      ];
    }),
  });

  const d = fit.diagnostics;
  const dv = d.map((o) => o.dv);
  const span = [
    Math.min(...dv, ...d.map((o) => o.ipred)),
    Math.max(...dv, ...d.map((o) => o.ipred)),
  ] as [number, number];
  const identity: Trace = { x: span, y: span, name: 'identity', color: '#444', dash: 'dash' };
  report.chart({
    title: 'Observations vs population predictions (PRED)',
    traces: [
      { x: d.map((o) => o.pred), y: dv, name: 'observations', mode: 'markers', color: PALETTE[0] },
      identity,
    ],
    x: { title: 'PRED' },
    y: { title: 'DV' },
    equalAspect: true,
  });
  report.chart({
    title: 'Observations vs individual predictions (IPRED)',
    traces: [
      { x: d.map((o) => o.ipred), y: dv, name: 'observations', mode: 'markers', color: PALETTE[1] },
      identity,
    ],
    x: { title: 'IPRED' },
    y: { title: 'DV' },
    equalAspect: true,
  });
  const zero = (xs: number[]): Trace => ({
    x: [Math.min(...xs), Math.max(...xs)],
    y: [0, 0],
    name: '0',
    color: '#444',
    dash: 'dash',
  });
  const times = d.map((o) => o.time);
  report.chart({
    title: 'CWRES vs time',
    traces: [
      { x: times, y: d.map((o) => o.cwres), name: 'CWRES', mode: 'markers', color: PALETTE[2] },
      zero(times),
    ],
    x: { title: 'time' },
    y: { title: 'CWRES' },
  });
  const preds = d.map((o) => o.pred);
  report.chart({
    title: 'CWRES vs PRED',
    traces: [
      { x: preds, y: d.map((o) => o.cwres), name: 'CWRES', mode: 'markers', color: PALETTE[2] },
      zero(preds),
    ],
    x: { title: 'PRED' },
    y: { title: 'CWRES' },
  });
  report.chart({
    title: 'Random effects against normal quantiles (η̂ / ω)',
    traces: fit.model.etaNames.map((name, k) => {
      const scaled = fit.eta
        .map((e) => e[k] / Math.sqrt(fit.omega[k * q + k]))
        .sort((a, b) => a - b);
      const n = scaled.length;
      return {
        x: scaled.map((_, i) => normalQuantile((i + 0.5) / n)),
        y: scaled,
        name: `η(${name})`,
        mode: 'markers' as const,
        color: PALETTE[k % PALETTE.length],
      };
    }),
    x: { title: 'normal quantile' },
    y: { title: 'η̂/ω' },
  });
  report.heading('Individual fits', 3);
  for (const subject of subjects) {
    const rows = d.filter((o) => o.id === subject.id);
    report.chart({
      title: `Subject ${subject.id}`,
      height: 260,
      traces: [
        {
          x: rows.map((o) => o.time),
          y: rows.map((o) => o.dv),
          name: 'DV',
          mode: 'markers',
          color: '#444',
        },
        {
          x: rows.map((o) => o.time),
          y: rows.map((o) => o.ipred),
          name: 'IPRED',
          color: PALETTE[1],
        },
        {
          x: rows.map((o) => o.time),
          y: rows.map((o) => o.pred),
          name: 'PRED',
          color: PALETTE[0],
          dash: 'dash',
        },
      ],
      x: { title: 'time' },
      y: { title: 'DV' },
    });
  }
  if (vpc) {
    report.heading(`Visual predictive check (${vpc.replicates} replicates)`, 3);
    const mid = vpc.bins.map((b) => b.time);
    report.chart({
      title: `Observed percentiles (points) and ${vpc.percentiles.join('/')}th simulated percentiles: median (line) and interval (dotted)`,
      traces: vpc.percentiles.flatMap((p, i) => [
        {
          x: mid,
          y: vpc.bins.map((b) => b.observed[i]),
          name: `observed P${p}`,
          mode: 'lines+markers' as const,
          color: PALETTE[i],
        },
        {
          x: mid,
          y: vpc.bins.map((b) => b.simulatedMedian[i]),
          name: `simulated P${p}`,
          color: PALETTE[i],
          dash: 'dash' as const,
        },
        {
          x: mid,
          y: vpc.bins.map((b) => b.simulatedLow[i]),
          name: `P${p} interval`,
          color: PALETTE[i],
          dash: 'dot' as const,
          opacity: 0.6,
        },
        {
          x: mid,
          y: vpc.bins.map((b) => b.simulatedHigh[i]),
          name: `P${p} interval`,
          color: PALETTE[i],
          dash: 'dot' as const,
          opacity: 0.6,
        },
      ]),
      x: { title: 'time (bin median)' },
      y: { title: 'DV' },
    });
  }
  return report;
}
