// Reference solutions (IVP Test Set where published, high-precision computations otherwise):
// at rtol = 1e-8 the final state's relative error (absolute below a per-component floor) is
// ≤ 1e-6 for the methods recommended for that kind of problem — Vern7 for non-stiff problems at
// tight tolerances, Rodas5P, Rodas4 and the automatic choice for stiff ones. The Arenstorf orbit
// amplifies local errors about a thousandfold over its period: at rtol = 1e-8 every method,
// ODEX included, ends 1.7e-6…4e-5 away, so its 1e-6 bound is checked at rtol = 1e-10. The other
// methods must solve every problem they apply to at rtol = 1e-8 to within 1e-3.
import { describe, expect, it } from 'vitest';
import { solve, type MethodName } from '../../src/index.ts';
import { solveWithOdex } from '../../solvers/index.ts';
import {
  allTestProblems,
  referenceError,
  type TestProblem,
} from '../../solvers/problem-library/index.ts';

function run(tp: TestProblem, method: MethodName | 'odex', rtol: number) {
  // Stiff problems resolve components down to 1e-6 of the tolerance (Robertson's y₂ ~ 1e-13).
  const options = { rtol, atol: tp.stiff ? rtol * 1e-6 : rtol * 1e-2, maxSteps: 1_000_000 };
  return method === 'odex'
    ? solveWithOdex(tp.problem, options)
    : solve(tp.problem, method, options);
}

describe('reference solutions', () => {
  for (const tp of allTestProblems()) {
    const recommended: MethodName[] = tp.stiff ? ['Rodas5P', 'Rodas4', 'auto'] : ['Vern7'];
    const others: (MethodName | 'odex')[] = tp.stiff
      ? ['Rosenbrock23']
      : ['Tsit5', 'DP5', 'BS3', 'auto', 'odex'];
    const tight = tp.name === 'Arenstorf orbit' ? 1e-10 : 1e-8;
    it(`${tp.name}: ${recommended.join(', ')} within 1e-6 at rtol ${tight}; ${others.join(', ')} within 1e-3 at rtol 1e-8`, () => {
      for (const m of recommended) {
        const sol = run(tp, m, tight);
        expect(sol.retcode).toBe('Success');
        expect(referenceError(tp, sol.final)).toBeLessThanOrEqual(1e-6);
      }
      for (const m of others) {
        const sol = run(tp, m, 1e-8);
        expect(sol.retcode).toBe('Success');
        expect(referenceError(tp, sol.final)).toBeLessThanOrEqual(1e-3);
      }
    });
  }
});
