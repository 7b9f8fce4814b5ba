// L-BFGS continued from its curvature memory (issue 17, defect 17: checkpoints of L-BFGS
// phases): a run cut into slices — each stopped by its callback, the next started from the θ
// and `lbfgsState` (through JSON) the last one returned — takes exactly the iterates of one call.
import { describe, expect, it } from 'vitest';
import { minimize, ScichainError } from '../../src/index.ts';
import { type LbfgsState } from '../../src/training/index.ts';

/** Extended Rosenbrock in 6 dimensions. */
function rosenbrock(theta: Float64Array, grad: Float64Array): number {
  let f = 0;
  grad.fill(0);
  for (let i = 0; i + 1 < theta.length; i++) {
    const a = theta[i + 1] - theta[i] * theta[i];
    const b = 1 - theta[i];
    f += 100 * a * a + b * b;
    grad[i] += -400 * a * theta[i] - 2 * b;
    grad[i + 1] += 200 * a;
  }
  return f;
}

describe('L-BFGS state', () => {
  it('slices of 3 iterations continue bit-exactly as one call', () => {
    const start = () => Float64Array.from([-1.2, 1, -1.2, 1, 0.5, -0.3]);
    const whole = start();
    const one = minimize(rosenbrock, whole, { maxIterations: 60, memory: 5, gradientTolerance: 0 });

    const theta = start();
    const history: number[] = [];
    let state: LbfgsState | undefined;
    let done = 0;
    for (;;) {
      let k = 0;
      const r = minimize(rosenbrock, theta, {
        maxIterations: 60 - done,
        memory: 5,
        gradientTolerance: 0,
        callback: () => (++k === 3 ? 'stop' : undefined),
        ...(state ? { lbfgsState: state } : {}),
      });
      history.push(...(history.length === 0 ? r.history : r.history.slice(1)));
      done += r.iterations;
      state = JSON.parse(JSON.stringify(r.lbfgsState)) as LbfgsState;
      if (r.reason !== 'Callback') break;
    }
    expect(done).toBe(one.iterations);
    expect(Array.from(theta)).toEqual(Array.from(whole));
    expect(history).toEqual(one.history);
  });

  it('refuses a state of another memory or length, naming the field', () => {
    const theta = Float64Array.from([0, 0]);
    const r = minimize(rosenbrock, theta, { maxIterations: 2, memory: 3 });
    const state = r.lbfgsState!;
    expect(() => minimize(rosenbrock, theta, { memory: 4, lbfgsState: state })).toThrow(
      new ScichainError(
        'InvalidArgument',
        'L-BFGS state: memory must be an integer in [4, 4], got 3',
      ),
    );
    const bad = { ...state, s: state.s.map((v) => v.slice(1)) };
    expect(() => minimize(rosenbrock, theta, { memory: 3, lbfgsState: bad })).toThrow(
      'L-BFGS state: s[0] must be an array of 2 numbers, got an array of 1',
    );
  });
});
