import { afterAll, describe, expect, test } from 'vitest';
import { ScichainError, ThreadPool } from '../../src/index.ts';
import { shareOf } from '../../src/parallel/task.ts';

const task = { url: new URL('./fixture-task.ts', import.meta.url).href, export: 'fillTask' };

describe('ThreadPool', () => {
  const pool = new ThreadPool({ threads: 3, maxThreads: 3 });
  afterAll(() => pool.close());

  test('runs an operation on every worker and the caller, and repeats', () => {
    const values = new Float64Array(new SharedArrayBuffer(3 * 8));
    const id = pool.register(task, { values });
    for (let op = 1; op <= 50; op++) {
      pool.run(id, op, () => (values[0] = op * 1000));
      // s = H(1000) ≈ 7.485 > 7, so each worker adds 0.5.
      expect(Array.from(values)).toEqual([op * 1000, op * 1000 + 1.5, op * 1000 + 2.5]);
    }
  });

  test("a worker's failure is thrown in the caller, naming the worker, and the pool goes on", () => {
    const values = new Float64Array(new SharedArrayBuffer(3 * 8));
    const id = pool.register(task, { values });
    expect(() => pool.run(id, 99, () => {})).toThrow(/worker 1: Error: op 99 refused on worker 1/);
    pool.run(id, 7, () => {});
    expect(values[2]).toBe(7002.5);
  });

  test('registration errors name the module and export', () => {
    let error: unknown;
    try {
      pool.register({ url: task.url, export: 'notAFunction' }, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScichainError);
    expect((error as ScichainError).code).toBe('WorkerFailed');
    expect((error as Error).message).toMatch(
      /fixture-task\.ts has no exported function 'notAFunction'/,
    );
    expect(() =>
      pool.register({ url: new URL('./missing-module.ts', import.meta.url).href, export: 'x' }, {}),
    ).toThrow(/worker 1: .*missing-module/);
  });

  test('one thread starts no worker; a closed pool refuses work', () => {
    const single = new ThreadPool({ threads: 1 });
    let ran = 0;
    single.run(single.register(task, {}), 1, () => ran++);
    expect(ran).toBe(1);
    single.close();
    expect(() => single.run(1, 1, () => {})).toThrow(/closed/);
    expect(() => new ThreadPool({ threads: 0 })).toThrow(/threads/);
  });
});

describe('shareOf', () => {
  test('contiguous shares covering every item once, sizes within one', () => {
    for (const n of [0, 1, 2, 7, 10, 12, 1001])
      for (const t of [1, 2, 3, 5]) {
        let next = 0;
        const counts: number[] = [];
        for (let i = 0; i < t; i++) {
          const { start, count } = shareOf(n, t, i);
          expect(start).toBe(next);
          next += count;
          counts.push(count);
        }
        expect(next).toBe(n);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }
  });
});
