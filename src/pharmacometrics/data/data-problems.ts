/**
 * How the NONMEM data reader reports problems: errors that stop reading, and warnings that are
 * collected and returned (never printed). Both name the 1-based file row (header = row 1) and,
 * where one is at fault, the column.
 */
import { ScichainError, type ErrorCode } from '../../core/errors.ts';

/** What a {@link DataWarning} is about. */
export type DataWarningCode =
  /** A subject has no observation records (EVID 0 with MDV 0). */
  | 'NoObservations'
  /** An EVID 0 row with MDV 1 (given, or inferred from a missing DV): not an observation. */
  | 'UnusedObservation'
  /** A dose with AMT 0 (other than a steady-state constant infusion, which needs AMT 0). */
  | 'ZeroAmount'
  /** A non-zero DV on a dose, other-type or reset row: ignored. */
  | 'IgnoredDV'
  /** A covariate cell was missing and was filled from the subject's neighbouring rows. */
  | 'CovariateFilled'
  /** A covariate is missing on every row of a subject: the subject has no value for it. */
  | 'CovariateMissing'
  /** A row after the header whose first cell starts with `#`: skipped (NONMEM's IGNORE=#). */
  | 'CommentRow';

/** A problem in the data that does not stop reading. */
export interface DataWarning {
  readonly code: DataWarningCode;
  /** The message, naming the row (and column when one is at fault). */
  readonly message: string;
  /** 1-based file row (header = row 1); for a subject-wide warning, the subject's first row. */
  readonly row: number;
  /** The column as written in the header, when one is at fault. */
  readonly column?: string;
  /** The subject's ID as written in the file. */
  readonly id?: string;
}

/** Builds located errors and collects warnings for one data source. */
export class DataProblems {
  readonly warnings: DataWarning[] = [];
  /** Names the data in messages (a file path, or "NONMEM data"). */
  readonly source: string;

  constructor(source: string) {
    this.source = source;
  }

  /** `<source>, row R, column C: problem` (column optional). */
  where(row: number, column?: string): string {
    return column === undefined
      ? `${this.source}, row ${row}`
      : `${this.source}, row ${row}, column ${column}`;
  }

  /** An error at `row` (and `column`): returns it so that callers write `throw problems.error(…)`. */
  error(
    row: number,
    column: string | undefined,
    problem: string,
    code: ErrorCode = 'InvalidArgument',
  ): ScichainError {
    return new ScichainError(code, `${this.where(row, column)}: ${problem}`);
  }

  /** Records a warning at `row` (and `column`). */
  warn(
    code: DataWarningCode,
    row: number,
    column: string | undefined,
    problem: string,
    id?: string,
  ): void {
    const warning: DataWarning = {
      code,
      message: `${this.where(row, column)}: ${problem}`,
      row,
      ...(column === undefined ? {} : { column }),
      ...(id === undefined ? {} : { id }),
    };
    this.warnings.push(warning);
  }
}
