// Phased minimisation interrupted and resumed (issue 17, defect 17): Adam then two L-BFGS
// phases, cut into one-iteration slices, interrupted by SIGINT (emitted from inside the
// objective at evaluation k, for many k: in the Adam phase, in each L-BFGS phase, at phase
// boundaries), checkpointed to a file and resumed, end with the θ bits and histories of one
// uninterrupted run.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adam, minimizePhases, type MinimizePhase } from '../../src/index.ts';
import { loadPhasesCheckpoint } from '../../src/optim/minimize-phases.ts';
import { minimizePhasesAsync } from '../../src/training/index.ts';

function rosenbrock(theta: Float64Array, grad: Float64Array, scale: number): number {
  let f = 0;
  grad.fill(0);
  for (let i = 0; i + 1 < theta.length; i++) {
    const a = theta[i + 1] - theta[i] * theta[i];
    const b = 1 - theta[i];
    f += scale * a * a + b * b;
    grad[i] += -4 * scale * a * theta[i] - 2 * b;
    grad[i + 1] += 2 * scale * a;
  }
  return f;
}

function phases(onEvaluation: () => void = () => {}): MinimizePhase<Float64Array>[] {
  const objective = (scale: number) => () => (t: Float64Array, g: Float64Array) => {
    onEvaluation();
    return rosenbrock(t, g, scale);
  };
  const frozen = Uint8Array.from([0, 0, 0, 1, 0]);
  return [
    {
      label: 'adam',
      objective: objective(10),
      method: () => adam({ learningRate: 0.05 }),
      options: { maxIterations: 12, frozen },
    },
    {
      label: 'lbfgs 1',
      objective: objective(30),
      method: 'lbfgs',
      options: { maxIterations: 8, memory: 3, frozen },
    },
    {
      label: 'lbfgs 2',
      objective: objective(100),
      method: 'lbfgs',
      options: { maxIterations: 10, memory: 4, gradientTolerance: 0 },
    },
  ];
}
const start = () => Float64Array.from([-1.2, 1, -0.5, 0.3, 0.8]);

describe('phased minimisation', () => {
  it('resumes bit-exactly after an interruption at any evaluation', async () => {
    const straight = start();
    const whole = minimizePhases(straight, phases());
    const dir = mkdtempSync(join(tmpdir(), 'scichain-phases-'));
    const path = join(dir, 'phases.json');
    let interruptedIn = new Set<number>();
    for (let k = 1; k <= 45; k += 2) {
      let evaluations = 0;
      const theta = start();
      const first = await minimizePhasesAsync(
        theta,
        phases(() => {
          if (++evaluations === k) process.emit('SIGINT', 'SIGINT');
        }),
        { checkpoint: { path }, sliceMs: 0 },
      );
      if (first.reason === 'Done') break; // k beyond the last evaluation
      expect(first.signal).toBe('SIGINT');
      expect(first.checkpointPath).toBe(path);
      const saved = loadPhasesCheckpoint(path);
      interruptedIn = interruptedIn.add(saved.phase);
      const resumed = start().fill(0);
      const rest = await minimizePhasesAsync(resumed, phases(), {
        resume: loadPhasesCheckpoint(path),
        sliceMs: 0,
      });
      expect(rest.reason).toBe('Done');
      expect(Array.from(resumed), `interrupted at evaluation ${k}`).toEqual(Array.from(straight));
      expect(rest.histories, `interrupted at evaluation ${k}`).toEqual(whole.histories);
    }
    expect([...interruptedIn].sort()).toEqual([0, 1, 2]);
  });

  it('refuses a checkpoint that does not fit the phases, naming the file and field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scichain-phases-'));
    const path = join(dir, 'p.json');
    await minimizePhasesAsync(start(), phases(), { checkpoint: { path } });
    const c = loadPhasesCheckpoint(path);
    await expect(
      minimizePhasesAsync(start(), phases(), { resume: { ...c, phase: 7 } }),
    ).rejects.toThrow('checkpoint: phase must be an integer in [0, 3], got 7');
    const wrong = loadPhasesCheckpoint(path);
    (wrong as unknown as { theta: unknown[] }).theta = [1, 2];
    await expect(minimizePhasesAsync(start(), phases(), { resume: wrong })).rejects.toThrow(
      `checkpoint file ${path}: theta has 2 entries but θ has 5`,
    );
  });
});
