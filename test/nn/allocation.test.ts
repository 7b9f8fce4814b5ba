// Hot paths allocate nothing after warm-up: heap growth per call measured in a child process
// (it needs --expose-gc and a young generation that no scavenge empties during the count).
// A control that allocates one small typed array per call shows the measurement can see it.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('zero allocation', () => {
  // One child process measures every path; both tests read its figures.
  let figures: Record<string, number> | null = null;
  const probe = (): Record<string, number> => {
    if (figures !== null) return figures;
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
    figures = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
    return figures;
  };
  it('network forward + pullback, a batched training step and ODE steps allocate nothing', () => {
    const r = probe();
    expect(r.allocatingControl).toBeGreaterThan(16);
    // The smallest allocation V8 can make is 16 bytes (a boxed double), so anything a hot path
    // allocated per call would show as ≥ 16; below 1 byte per call is JIT bookkeeping, not the code.
    expect(r.singleSample).toBeLessThan(1);
    expect(r.batchedTrainingStep).toBeLessThan(1);
    expect(r.wasmTrainingStep).toBeLessThan(1);
    expect(r.threadedTrainingStep).toBeLessThan(1);
    expect(r.odeExplicitStep).toBeLessThan(1);
    // The Rosenbrock step's finite-difference Jacobian passes t to the user's f. Whether V8
    // inlines f there varies between processes (about 1 run in 10 alone, more often under the
    // load of a parallel test run); when it does not, t is boxed once per step (16 B). That is
    // the engine's calling convention under the f(du, u, p, t) contract, so one box is allowed.
    expect(r.odeRosenbrockStep).toBeLessThan(16 + 1);
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
