/**
 * Reading NONMEM/NM-TRAN-style data sets (comma-separated, one header row) into validated
 * per-subject records: doses, observations, resets and covariates.
 *
 * Columns are found by their NONMEM names, case-insensitively: ID, TIME, DV, AMT, RATE, EVID,
 * MDV, CMT, II, ADDL, SS and DUR (not a NONMEM item, but common: an infusion's duration). ID,
 * TIME and one of DV or AMT are required. Every other column is a covariate (`drop` leaves out
 * text columns). `.` and empty cells are missing. Missing AMT, RATE, DUR, II, ADDL, SS and CMT
 * are 0, as NONMEM reads them (CMT 0: the default compartment). EVID and MDV, when absent (the
 * column, or one cell), are inferred as NONMEM does: EVID is 1 (dose) if AMT > 0, else 2 (other)
 * if MDV is 1, else 0 (observation); MDV is 0 on an observation row with a DV, else 1 — so an
 * observation row without a DV is not an observation (warning `UnusedObservation`).
 *
 * Decisions beyond NONMEM's rules:
 * - IDs are labels (any text; numeric IDs compare by value when the value tells them apart: up
 *   to 15 significant digits and finite, else as text, so long IDs never merge). The rows of one
 *   ID must be contiguous: where NONMEM would start a new individual, this is an error (almost
 *   always an unsorted file), so subjects are unique by ID.
 * - TIME must not decrease within a subject except on an EVID 3 or 4 row; records then follow
 *   the data order (`row`, and `resetRows` for EVID 3) rather than TIME.
 * - Covariates: a missing cell takes the subject's previous value, or its first value before it
 *   (warning `CovariateFilled`); one value throughout a subject makes a constant, otherwise a
 *   last-observation-carried-forward series of the changes.
 * - Dose data items on rows that are not doses are errors, not ignored; a non-zero DV on them is
 *   ignored with a warning (DV 0 is the usual filler).
 * - Lines whose first cell starts with `#` are comments (NONMEM's default `IGNORE=#`); the header
 *   may start with `#`. Each such line after the header is a `CommentRow` warning naming it.
 * - Covariates are keyed by their column names in prototype-free objects (`__proto__` is a
 *   covariate like any other).
 *
 * Problems stop reading with a `ScichainError` naming the row (1-based file line, header =
 * row 1) and the column; lesser ones are returned as warnings (never printed).
 */
import { readTextFile } from '../io/read-text-file.ts';
import { ScichainError } from '../core/errors.ts';
import { readColumns, type NonmemItem } from './data/columns.ts';
import { readCsvTable } from './data/csv-table.ts';
import { DataProblems, type DataWarning } from './data/data-problems.ts';
import { EventRowReader, type RowRules } from './data/event-rows.ts';
import { SubjectAssembler } from './data/subjects.ts';
import type { SubjectRecords } from './records.ts';

export type { DataWarning, DataWarningCode } from './data/data-problems.ts';
export { NONMEM_ITEMS, type NonmemItem } from './data/columns.ts';

/** Options of {@link readNonmemData} and {@link readNonmemFile}. */
export interface NonmemDataOptions {
  /**
   * The model's compartments, to check CMT against: a count `n` (CMT 1…n) or the list of valid
   * CMT numbers. Checked on dose and observation rows whose CMT is given (not 0 or missing).
   */
  readonly compartments?: number | readonly number[];
  /** CMT of observations whose CMT is missing or 0; default 0 (the model's default output). */
  readonly defaultObservationCmt?: number;
  /** CMT of doses whose CMT is missing or 0; default 1 (NONMEM's usual default dose compartment). */
  readonly defaultDoseCmt?: number;
  /** Columns to leave out (case-insensitive), like `=DROP` in `$INPUT`; not ID or TIME. */
  readonly drop?: readonly string[];
  /** Names the data in messages; default "NONMEM data" (the path for {@link readNonmemFile}). */
  readonly source?: string;
}

/** The columns of a data set as read. */
export interface DataColumns {
  /** Every header name as written, in file order. */
  readonly names: readonly string[];
  /** NONMEM data item → its column name as written; absent items are left out. */
  readonly items: Readonly<Partial<Record<NonmemItem, string>>>;
  /** Covariate columns as written, in file order. */
  readonly covariates: readonly string[];
  /** The covariates that change within at least one subject (the rest are constant). */
  readonly timeVarying: readonly string[];
  /** Columns left out through `drop`. */
  readonly dropped: readonly string[];
}

/** A data set read by {@link readNonmemData}. */
export interface NonmemData {
  /** Subjects in file order. */
  readonly subjects: SubjectRecords[];
  /** Warnings in row order. */
  readonly warnings: DataWarning[];
  readonly columns: DataColumns;
}

function compartmentSet(c: number | readonly number[] | undefined): Set<number> | undefined {
  if (c === undefined) return undefined;
  const list = typeof c === 'number' ? Array.from({ length: c }, (_, k) => k + 1) : [...c];
  const ok = typeof c === 'number' ? Number.isInteger(c) && c >= 1 : list.length > 0;
  if (!ok || !list.every((k) => Number.isInteger(k) && k >= 1)) {
    throw new ScichainError(
      'InvalidArgument',
      `compartments: must be a count ≥ 1 or a non-empty list of integers ≥ 1, got ` +
        JSON.stringify(c),
    );
  }
  return new Set(list);
}

function rowRules(options: NonmemDataOptions): RowRules {
  const compartments = compartmentSet(options.compartments);
  const check = (name: string, value: number, min: number): number => {
    if (!Number.isInteger(value) || value < min) {
      throw new ScichainError(
        'InvalidArgument',
        `${name}: must be an integer ≥ ${min}, got ${value}`,
      );
    }
    if (value !== 0 && compartments && !compartments.has(value)) {
      throw new ScichainError(
        'InvalidArgument',
        `${name}: ${value} is not one of the compartments ${[...compartments].join(', ')}`,
      );
    }
    return value;
  };
  return {
    compartments,
    defaultDoseCmt: check('defaultDoseCmt', options.defaultDoseCmt ?? 1, 1),
    defaultObservationCmt: check('defaultObservationCmt', options.defaultObservationCmt ?? 0, 0),
  };
}

/**
 * Reads a NONMEM-style CSV data set from text. Throws `ScichainError` (`InvalidArgument`, or
 * `NonFinite` for infinite values) naming the row and column at fault; see the module comment
 * for the rules.
 */
export function readNonmemData(text: string, options: NonmemDataOptions = {}): NonmemData {
  const rules = rowRules(options);
  const problems = new DataProblems(options.source ?? 'NONMEM data');
  const table = readCsvTable(text, problems);
  const layout = readColumns(table.header, table.headerRow, options.drop ?? [], problems);
  const reader = new EventRowReader(layout, rules, problems);
  const covariateNames = layout.covariates.map((c) => c.name);
  const assembler = new SubjectAssembler(
    covariateNames,
    layout.names[layout.items.ID!],
    layout.names[layout.items.TIME!],
    problems,
  );
  for (const row of table.rows) assembler.add(reader.read(row));
  const subjects = assembler.finish();

  const items: Partial<Record<NonmemItem, string>> = {};
  for (const [item, j] of Object.entries(layout.items)) items[item as NonmemItem] = layout.names[j];
  return {
    subjects,
    // Subject-wide warnings are raised when a subject ends; report everything in row order.
    warnings: problems.warnings.sort((a, b) => a.row - b.row),
    columns: {
      names: layout.names,
      items,
      covariates: covariateNames,
      timeVarying: covariateNames.filter((n) => assembler.timeVarying.has(n)),
      dropped: layout.dropped,
    },
  };
}

/** Reads a NONMEM-style CSV data file (UTF-8); messages name the path. See {@link readNonmemData}. */
export function readNonmemFile(path: string, options: NonmemDataOptions = {}): NonmemData {
  return readNonmemData(readTextFile(path, 'data file'), { source: path, ...options });
}
