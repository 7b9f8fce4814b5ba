// Hot paths allocate nothing after warm-up: heap growth per call measured in a child process
// (it needs --expose-gc and a young generation that no scavenge empties during the count).
// A control that allocates one small typed array per call shows the measurement can see it.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('zero allocation', () => {
  const probe = (): Record<string, number> => {
    const out = execFileSync(
      process.execPath,
      [
        '--expose-gc',
        '--min-semi-space-size=64',
        '--max-semi-space-size=64',
        '--import',
        'tsx',
        'test/helpers/allocation-probe.ts',
      ],
      { encoding: 'utf8' },
    );
    return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
  };
  it('network forward + pullback, a batched training step and ODE steps allocate nothing', () => {
    // A double passed to a function V8 did not inline is boxed (16 B): whether the JIT inlines
    // the user's f into the finite-difference Jacobian varies between processes (about 1 run in
    // 10 it does not, and t is boxed once per step). That is the engine's calling convention,
    // not the solver's code, so a run showing exactly that is repeated (at most twice more).
    let r = probe();
    for (
      let retry = 0;
      retry < 2 && r.odeRosenbrockStep >= 1 && r.odeRosenbrockStep < 17;
      retry++
    ) {
      r = probe();
    }
    expect(r.allocatingControl).toBeGreaterThan(16);
    // The smallest allocation V8 can make is 16 bytes (a boxed double), so anything a hot path
    // allocated per call would show as ≥ 16; below 1 byte per call is JIT bookkeeping, not the code.
    expect(r.singleSample).toBeLessThan(1);
    expect(r.batchedTrainingStep).toBeLessThan(1);
    expect(r.odeExplicitStep).toBeLessThan(1);
    expect(r.odeRosenbrockStep).toBeLessThan(1);
  });

  it('the adjoint backward step path allocates nothing but the boxed time of each model call', () => {
    // The network VJPs, the dense-output lookups of u(t) and the Runge–Kutta step over λ
    // allocate nothing. What remains is the time argument of the `f(du, u, p, t)` /
    // `vjp(λ, u, p, t, …)` contract: a computed double passed to a function V8 does not inline
    // (a generated model with a network term is too big to inline) is boxed, 16 B per call —
    // one per adjoint RHS call, per quadrature node (3 per step here) and per DP5 stage.
    const r = probe();
    expect(r.adjointRhs).toBeLessThan(16 + 1);
    expect(r.quadratureStep).toBeLessThan(3 * 16 + 1);
    expect(r.adjointStep).toBeLessThan(6 * 16 + 1);
  });
});
