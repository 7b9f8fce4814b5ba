// Subjects of a population objective evaluated on worker threads: the same objective values and
// η̂ bit for bit as one thread (each subject stays on one thread and the sum runs in subject
// order), on the closed-form and the ODE path, through warm starts set on the calling thread and
// through a whole FOCEI fit; a setup that builds other subjects is refused by name.
import { afterAll, describe, expect, it } from 'vitest';
import { availableCores, fitPopulation, ThreadPool } from '../../src/index.ts';
import { PopulationObjective } from '../../src/pharmacometrics/index.ts';
import { theophyllineModel, theophyllineSubjects } from '../../examples/theophylline-model.ts';

const fixture = new URL('./fixture-population.ts', import.meta.url).href;
const setup = { url: fixture, export: 'theophyllineSetup' };

describe('population objectives on threads', () => {
  const pool = new ThreadPool({ threads: 3, maxThreads: 3 });
  afterAll(() => pool.close());

  it('give the one-thread objective and η̂ bit for bit (closed form and ODE)', () => {
    for (const path of ['closed-form', 'ode'] as const) {
      const model = theophyllineModel();
      const one = new PopulationObjective(model, theophyllineSubjects(path), 'FOCEI');
      const many = new PopulationObjective(model, theophyllineSubjects(path), 'FOCEI', 'expected', {
        setup,
        args: { path },
        pool,
      });
      expect(many.threads).toBe(3);
      const x = model.initial();
      const points = path === 'ode' ? 3 : 8;
      for (let k = 0; k < points; k++) {
        x[k % x.length] += 0.01 * (k + 1);
        expect(many.value(x), `${path} point ${k}`).toBe(one.value(x));
        expect(Array.from(many.subjectValues)).toEqual(Array.from(one.subjectValues));
        expect(many.etas()).toEqual(one.etas());
      }
      // Warm starts set on the calling thread reach the workers' subjects.
      const starts = one.etas().map((e) => e.map((v) => v * 0.5));
      one.setEtas(starts);
      many.setEtas(starts);
      expect(many.value(x)).toBe(one.value(x));
      expect(many.etas()).toEqual(one.etas());
      many.dispose();
    }
  });

  it('fit Theophylline by FOCEI to the same bits on 2 threads as on 1', () => {
    const model = theophyllineModel();
    const options = { method: 'FOCEI' as const, maxIterations: 8, covariance: false };
    const one = fitPopulation(model, theophyllineSubjects(), options);
    const two = fitPopulation(model, theophyllineSubjects(), {
      ...options,
      threads: { setup, args: { path: 'closed-form' }, threads: 2 },
    });
    expect(two.objective).toBe(one.objective);
    expect(Array.from(two.x)).toEqual(Array.from(one.x));
    expect(two.eta).toEqual(one.eta);
    expect(two.diagnostics.map((d) => d.cwres)).toEqual(one.diagnostics.map((d) => d.cwres));
  });

  it("'auto' keeps cheap closed-form subjects on one thread and splits ODE subjects", () => {
    const model = theophyllineModel();
    const auto = (path: 'closed-form' | 'ode') =>
      new PopulationObjective(model, theophyllineSubjects(path), 'FOCEI', 'expected', {
        setup,
        args: { path },
      });
    expect(auto('closed-form').threads).toBe(1);
    const ode = auto('ode');
    expect(ode.threads).toBe(Math.min(12, availableCores()));
    ode.dispose();
  });

  it('refuse a setup that builds other subjects, naming both counts', () => {
    const model = theophyllineModel();
    expect(
      () =>
        new PopulationObjective(model, theophyllineSubjects(), 'FOCEI', 'expected', {
          setup: { url: fixture, export: 'tooFewSubjects' },
          pool,
        }),
    ).toThrow(/worker 1: .*built 11 subjects .* the calling thread has 12/);
    expect(
      () =>
        new PopulationObjective(model, theophyllineSubjects(), 'FOCEI', 'expected', {
          setup: { url: fixture, export: 'missing' },
          pool,
        }),
    ).toThrow(/no exported function 'missing'/);
  });
});
