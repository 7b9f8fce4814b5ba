/**
 * Covariates of one subject from its rows: missing cells filled from neighbouring rows, then
 * constant values split from time-varying series.
 */
import type { CovariateSeries } from '../records.ts';
import type { DataProblems } from './data-problems.ts';

/** One subject's rows as the covariate step needs them. */
export interface CovariateRows {
  readonly id: string;
  readonly rows: readonly number[];
  readonly times: readonly number[];
  /** `cells[r][c]`: covariate `c` on the subject's row `r` (undefined when missing). */
  readonly cells: readonly (readonly (number | undefined)[])[];
}

/**
 * A subject's covariates: constant ones by value, time-varying ones as LOCF series. Both are
 * prototype-free objects keyed by the column names as written, so a column named `__proto__`,
 * `constructor` or `toString` is a covariate like any other (no inherited keys to collide with).
 */
export interface SubjectCovariates {
  readonly constant: Record<string, number>;
  readonly timeVarying: Record<string, CovariateSeries>;
}

/**
 * Summarises covariates `names` of one subject. A missing cell takes the value of the last
 * earlier row that has one (carried forward) or, before the first value, that first value
 * (carried backward) — so a value written only on the dose row covers the whole subject; each
 * filled covariate gives one `CovariateFilled` warning per subject. A covariate missing on every
 * row is left out of the subject (warning `CovariateMissing`). A covariate with one value on all
 * rows is constant; otherwise its series holds the first row and every row where the value
 * changes, in data order (the value holds from its time until the next change; the first value
 * also before its time).
 */
export function subjectCovariates(
  subject: CovariateRows,
  names: readonly string[],
  problems: DataProblems,
): SubjectCovariates {
  // Names come from the file: prototype-free maps, so `__proto__` is stored, not swallowed.
  const constant = Object.create(null) as Record<string, number>;
  const timeVarying = Object.create(null) as Record<string, CovariateSeries>;
  const n = subject.rows.length;
  names.forEach((name, c) => {
    const first = subject.cells.findIndex((cells) => cells[c] !== undefined);
    if (first < 0) {
      problems.warn(
        'CovariateMissing',
        subject.rows[0],
        name,
        `${name} is missing on every row of subject ${subject.id}; the subject has no ${name}`,
        subject.id,
      );
      return;
    }
    const values = new Float64Array(n);
    let last = subject.cells[first][c]!;
    let filled = 0;
    let firstFilledRow = 0;
    for (let r = 0; r < n; r++) {
      const v = subject.cells[r][c];
      if (v === undefined) {
        if (filled++ === 0) firstFilledRow = subject.rows[r];
      } else {
        last = v;
      }
      values[r] = last;
    }
    if (filled > 0) {
      problems.warn(
        'CovariateFilled',
        firstFilledRow,
        name,
        `${name} is missing on ${filled} of ${n} rows of subject ${subject.id}; each takes the ` +
          'value of the nearest earlier row (or the first value, before it)',
        subject.id,
      );
    }

    const changes: number[] = [];
    for (let r = 0; r < n; r++) if (r === 0 || values[r] !== values[r - 1]) changes.push(r);
    if (changes.length === 1) {
      constant[name] = values[0];
    } else {
      timeVarying[name] = {
        times: Float64Array.from(changes, (r) => subject.times[r]),
        values: Float64Array.from(changes, (r) => values[r]),
      };
    }
  });
  return { constant, timeVarying };
}
