/**
 * `ode`: work–precision of the ODE solvers on the problem library. For each problem, method and
 * rtol ∈ {1e-4, 1e-6, 1e-8, 1e-10} (atol = rtol·1e-2 for non-stiff problems, rtol·1e-6 for stiff
 * ones; only the final state is kept): `ms_per_solve` (median over repetitions), `rhs_calls`, and
 * the achieved `error` against the reference (largest relative error over the components, with
 * each problem's floors). Non-stiff problems also run through `odex` (ODEX) and mathjs's
 * `solveODE` (RK45, `tol` = rtol). Then, per non-stiff problem, `speedup_vs_odex`: the time ODEX
 * needs for an error divided by the time scichain's fastest explicit method needs for the same
 * error (log–log interpolation on its work–precision curve), minimum and median over ODEX's
 * points. Each configuration is warmed up (up to 200 solves or a quarter of the budget) before it
 * is timed. Writes the work–precision charts to reports/ode-work-precision.html.
 *
 *   npm run bench -- ode [--problems HIRES,OREGO] [--budget 200]   (budget: ms of repetitions)
 */
import { create, all } from 'mathjs';
import { median, Report, solve, type MethodName, type OdeSolution } from '../src/index.ts';
import { solveWithOdex } from '../solvers/index.ts';
import {
  allTestProblems,
  referenceError,
  type TestProblem,
} from '../solvers/problem-library/index.ts';
import { emit, numberOption, referenceNanosecondsPerElement } from './harness.ts';

const TOLERANCES = [1e-4, 1e-6, 1e-8, 1e-10];
/** mathjs's solveODE, typed for what is used here. */
const mathjsSolveOde = (
  create(all) as unknown as {
    // mathjs's own name.
    // eslint-disable-next-line @typescript-eslint/naming-convention
    solveODE(
      f: (t: number, y: number[]) => number[],
      tspan: number[],
      y0: number[],
      options: Record<string, unknown>,
    ): { y: number[][] };
  }
).solveODE;

type Runner = (
  tp: TestProblem,
  rtol: number,
) => { sol: OdeSolution | null; rhsCalls: number; final: ArrayLike<number>; ok: boolean };

function scichain(method: MethodName): Runner {
  return (tp, rtol) => {
    const sol = solve(tp.problem, method, {
      rtol,
      atol: tp.stiff ? rtol * 1e-6 : rtol * 1e-2,
      saveat: [tp.problem.tspan[1]],
      maxSteps: 2_000_000,
    });
    return { sol, rhsCalls: sol.stats.rhsCalls, final: sol.final, ok: sol.success };
  };
}

const odex: Runner = (tp, rtol) => {
  const sol = solveWithOdex(tp.problem, {
    rtol,
    atol: rtol * 1e-2,
    saveat: [tp.problem.tspan[1]],
    maxSteps: 2_000_000,
  });
  return { sol, rhsCalls: sol.stats.rhsCalls, final: sol.final, ok: sol.success };
};

/** mathjs's own solver, given the problem as it expects it (arrays in, arrays out). */
const mathjs: Runner = (tp, rtol) => {
  const p = tp.problem;
  const u = new Float64Array(p.n);
  const du = new Float64Array(p.n);
  let calls = 0;
  const f = (t: number, y: number[]): number[] => {
    calls++;
    for (let i = 0; i < p.n; i++) u[i] = y[i];
    p.f(du, u, p.p, t);
    return Array.from(du);
  };
  const result = mathjsSolveOde(f, [p.tspan[0], p.tspan[1]], Array.from(p.u0), {
    method: 'RK45',
    tol: rtol,
    maxIter: 1e7,
  });
  const final = result.y[result.y.length - 1];
  return { sol: null, rhsCalls: calls, final, ok: final.every(Number.isFinite) };
};

interface Point {
  method: string;
  rtol: number;
  ms: number;
  error: number;
  rhsCalls: number;
}

/** Time of a method's work–precision curve at error `e` (log–log interpolation), or NaN outside it. */
function timeAtError(points: Point[], e: number): number {
  const sorted = [...points].filter((p) => p.error > 0).sort((a, b) => a.error - b.error);
  for (let i = 0; i + 1 < sorted.length; i++) {
    const a = sorted[i];
    const b = sorted[i + 1];
    if (e >= a.error && e <= b.error) {
      const s = (Math.log(e) - Math.log(a.error)) / (Math.log(b.error) - Math.log(a.error));
      return Math.exp(Math.log(a.ms) + s * (Math.log(b.ms) - Math.log(a.ms)));
    }
  }
  return NaN;
}

export function run(args: string[]): void {
  const budget = numberOption(args, 'budget', 200);
  const only = args.includes('--problems') ? args[args.indexOf('--problems') + 1].split(',') : null;
  const problems = allTestProblems().filter(
    (tp) => only === null || only.some((name) => tp.name.startsWith(name)),
  );
  const report = new Report(
    'ODE solvers: work–precision',
    `rtol ∈ {${TOLERANCES.join(', ')}}; error = largest relative error of the final state against the reference; time = median wall time of a solve`,
  );
  report.text(
    "Each point is one tolerance; lower left is better. Non-stiff problems also show ODEX (Hairer & Wanner's extrapolation code, through the odex package) and mathjs's solveODE.",
  );
  const context = { threads: 1 };
  for (const tp of problems) {
    const runners: [string, Runner][] = tp.stiff
      ? (['Rodas5P', 'Rodas4', 'Rosenbrock23', 'auto'] as MethodName[]).map((m) => [m, scichain(m)])
      : [
          ...(['Tsit5', 'DP5', 'Vern7', 'BS3', 'auto'] as MethodName[]).map(
            (m): [string, Runner] => [m, scichain(m)],
          ),
          ['odex', odex],
          ['mathjs', mathjs],
        ];
    const points: Point[] = [];
    for (const [name, runner] of runners) {
      for (const rtol of TOLERANCES) {
        const first = runner(tp, rtol);
        const error = referenceError(tp, first.final);
        // Warm up until the JIT has settled (short solves would otherwise be timed as
        // interpreted code), then time repetitions for the budget.
        const warmUp = performance.now();
        for (let i = 0; i < 200 && performance.now() - warmUp < budget / 4; i++) runner(tp, rtol);
        const times: number[] = [];
        const started = performance.now();
        while (times.length < 3 || (performance.now() - started < budget && times.length < 500)) {
          const t0 = performance.now();
          runner(tp, rtol);
          times.push(performance.now() - t0);
        }
        const ms = median(times);
        const fields = { problem: tp.name, method: name, rtol, solved: first.ok, ...context };
        emit({
          bench: 'ode',
          metric: 'ms_per_solve',
          value: Number(ms.toPrecision(4)),
          unit: 'ms',
          ...fields,
        });
        emit({
          bench: 'ode',
          metric: 'rhs_calls',
          value: first.rhsCalls,
          unit: 'calls',
          ...fields,
        });
        emit({
          bench: 'ode',
          metric: 'error',
          value: Number(error.toPrecision(3)),
          unit: 'relative',
          ...fields,
        });
        if (first.ok) points.push({ method: name, rtol, ms, error, rhsCalls: first.rhsCalls });
      }
    }
    if (!tp.stiff) {
      const explicit = ['Tsit5', 'DP5', 'Vern7', 'BS3'];
      const ratios = points
        .filter((p) => p.method === 'odex')
        .map((o) => {
          const times = explicit
            .map((m) =>
              timeAtError(
                points.filter((p) => p.method === m),
                o.error,
              ),
            )
            .filter(Number.isFinite);
          // Only ODEX points whose error some scichain curve spans can be compared.
          return times.length > 0 ? o.ms / Math.min(...times) : NaN;
        })
        .filter(Number.isFinite);
      if (ratios.length > 0) {
        emit({
          bench: 'ode',
          metric: 'speedup_vs_odex',
          value: Number(Math.min(...ratios).toFixed(2)),
          unit: 'x',
          problem: tp.name,
          statistic: 'min over odex points',
          points: ratios.length,
          ...context,
        });
        emit({
          bench: 'ode',
          metric: 'speedup_vs_odex',
          value: Number(median(ratios).toFixed(2)),
          unit: 'x',
          problem: tp.name,
          statistic: 'median over odex points',
          points: ratios.length,
          ...context,
        });
      }
    }
    const methods = [...new Set(points.map((p) => p.method))];
    report.chart({
      title: `${tp.name}${tp.stiff ? ' (stiff)' : ''}`,
      traces: methods.map((m) => {
        const ps = points.filter((p) => p.method === m).sort((a, b) => a.error - b.error);
        return {
          x: ps.map((p) => Math.max(p.error, 1e-17)),
          y: ps.map((p) => p.ms),
          name: m,
          mode: 'lines+markers' as const,
        };
      }),
      x: { title: 'error (relative, final state)', log: true },
      y: { title: 'ms per solve', log: true },
    });
    report.table({
      caption: `${tp.name}: reference ${tp.referenceSource}`,
      columns: ['method', 'rtol', 'error', 'ms', 'rhs calls'],
      rows: points.map((p) => [p.method, p.rtol, p.error, p.ms, p.rhsCalls]),
    });
  }
  const reference = referenceNanosecondsPerElement();
  emit({
    bench: 'ode',
    metric: 'reference_dot_ns_per_element',
    value: Number(reference.toFixed(4)),
    unit: 'ns',
    note: 'float64 dot product, 65,536 entries',
  });
  const path = report.write('reports/ode-work-precision.html');
  console.error(`work–precision report: ${path}`);
}
