/**
 * `solve(problem, method, options)`: the entry point. Methods are chosen by their field names
 * (`'auto'` — the default —, `'Tsit5'`, `'DP5'`, `'BS3'`, `'Vern7'`, `'RK4'`, `'Euler'`,
 * `'Rodas5P'`, `'Rodas4'`, `'Rosenbrock23'`) or passed as tableaus.
 */
import { requireName } from '../src/core/errors.ts';
import { bs3 } from './explicit/bs3.ts';
import { dp5 } from './explicit/dp5.ts';
import { euler } from './explicit/euler.ts';
import { rk4 } from './explicit/rk4.ts';
import { RungeKuttaStepper } from './explicit/runge-kutta.ts';
import { realStabilityBoundary, type ExplicitTableau } from './explicit/tableau.ts';
import { tsit5 } from './explicit/tsit5.ts';
import { vern7 } from './explicit/vern7.ts';
import { AutoSwitch } from './auto-switch.ts';
import { integrate } from './integrate.ts';
import { normalizeOptions, type SolveOptions } from './options.ts';
import type { OdeProblem } from '../src/core/ode-problem.ts';
import { emptyStats } from './return-code.ts';
import type { OdeSolution } from './solution.ts';
import { StiffnessStop } from './stiffness-stop.ts';
import { rodas4 } from './stiff/rodas4.ts';
import { rodas5p } from './stiff/rodas5p.ts';
import { RosenbrockStepper, type RosenbrockTableau } from './stiff/rosenbrock.ts';
import { Rosenbrock23Stepper } from './stiff/rosenbrock23.ts';

/** The explicit Runge–Kutta methods by name. */
export const explicitMethods: Readonly<Record<string, ExplicitTableau>> = {
  Tsit5: tsit5,
  DP5: dp5,
  BS3: bs3,
  Vern7: vern7,
  RK4: rk4,
  Euler: euler,
};

/** The Rosenbrock methods (stiff) by name. */
export const rosenbrockMethods: Readonly<Record<string, RosenbrockTableau>> = {
  Rodas5P: rodas5p,
  Rodas4: rodas4,
};

/** Names accepted by {@link solve}. */
export type MethodName =
  | 'auto'
  | 'Tsit5'
  | 'DP5'
  | 'BS3'
  | 'Vern7'
  | 'RK4'
  | 'Euler'
  | 'Rodas5P'
  | 'Rodas4'
  | 'Rosenbrock23';

const METHOD_NAMES = [
  'auto',
  ...Object.keys(explicitMethods),
  ...Object.keys(rosenbrockMethods),
  'Rosenbrock23',
] as MethodName[];

/**
 * Checks a solver given by name (exact, letter case included: `'tsit5'` is refused with a
 * suggestion of `'Tsit5'`) or as a tableau object; `what` names it in the error.
 */
export function checkMethodName(method: unknown, what = 'ODE method'): void {
  if (typeof method === 'object' && method !== null) return; // a tableau
  requireName(method, METHOD_NAMES, what);
}

function isExplicit(m: ExplicitTableau | RosenbrockTableau): m is ExplicitTableau {
  return 'fsal' in m;
}

/**
 * Solves an initial value problem; failures are reported in the solution's return code.
 * `'auto'` (the default) starts with Tsit5 and switches to Rodas5P when stiffness is detected
 * (see `auto-switch.ts`; the switches are counted in `stats`). Tsit5, DP5 and BS3 chosen by name
 * stop with `Stiff` instead (see `stiffness-stop.ts` and the `stiffSteps` option).
 */
export function solve(
  problem: OdeProblem,
  method: MethodName | ExplicitTableau | RosenbrockTableau = 'auto',
  options: SolveOptions = {},
): OdeSolution {
  checkMethodName(method);
  const name = typeof method === 'string' ? method : null;
  const tableau: ExplicitTableau | RosenbrockTableau | null =
    name === null
      ? (method as ExplicitTableau | RosenbrockTableau)
      : (explicitMethods[name] ?? rosenbrockMethods[name] ?? null);
  const canAdapt = tableau === null || !isExplicit(tableau) || tableau.errorOrder !== null;
  const normalized = normalizeOptions(problem, options, canAdapt);
  const p = Float64Array.from(problem.p); // events may change parameters: work on a copy
  const stats = emptyStats();
  const explicit = { atol: normalized.atol, rtol: normalized.rtol };
  const implicit = explicit;
  if (name === 'auto') {
    const steppers = [
      new RungeKuttaStepper(explicitMethods.Tsit5, problem, p, explicit, stats),
      new RosenbrockStepper(rosenbrockMethods.Rodas5P, problem, p, implicit, stats),
    ];
    const boundary = realStabilityBoundary(explicitMethods.Tsit5);
    return integrate(problem, p, steppers, normalized, stats, new AutoSwitch(stats, boundary));
  }
  const stepper =
    tableau === null
      ? new Rosenbrock23Stepper(problem, p, implicit, stats)
      : isExplicit(tableau)
        ? new RungeKuttaStepper(tableau, problem, p, explicit, stats)
        : new RosenbrockStepper(tableau, problem, p, implicit, stats);
  // An explicit method that estimates h·|λ| stops on a stiff problem instead of crawling on.
  let stiffness: StiffnessStop | null = null;
  if (
    stepper instanceof RungeKuttaStepper &&
    stepper.estimatesStiffness &&
    normalized.adaptive &&
    Number.isFinite(normalized.stiffSteps)
  ) {
    stepper.euclideanStiffness = true;
    stiffness = new StiffnessStop(
      realStabilityBoundary(tableau as ExplicitTableau),
      normalized.stiffSteps,
    );
  }
  return integrate(problem, p, [stepper], normalized, stats, null, stiffness);
}
