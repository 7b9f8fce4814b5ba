/**
 * Event rows → subjects: rows of one ID are one subject, TIME never goes back within a subject
 * except at a reset, and each subject's rows become its dose, observation and reset records.
 */
import type { DoseRecord, ObservationRecord, SubjectRecords } from '../records.ts';
import { subjectCovariates } from './covariates.ts';
import type { DataProblems } from './data-problems.ts';
import type { EventRow } from './event-rows.ts';

/**
 * Collects rows in file order. The rows of one ID must be contiguous: NONMEM would start a new
 * individual where an ID re-appears after other IDs, which is almost always an unsorted file,
 * so that is an error here (subjects are then unique by ID).
 */
export class SubjectAssembler {
  readonly subjects: SubjectRecords[] = [];
  /** ID key → first row of its block. */
  private readonly seen = new Map<string, number>();
  private current: EventRow[] = [];
  /** Names of covariates that change within at least one subject. */
  readonly timeVarying = new Set<string>();
  private readonly covariateNames: readonly string[];
  /** Column names of ID and TIME as written, for messages. */
  private readonly idColumn: string;
  private readonly timeColumn: string;
  private readonly problems: DataProblems;

  constructor(
    covariateNames: readonly string[],
    idColumn: string,
    timeColumn: string,
    problems: DataProblems,
  ) {
    this.covariateNames = covariateNames;
    this.idColumn = idColumn;
    this.timeColumn = timeColumn;
    this.problems = problems;
  }

  /** Adds the next row in file order. */
  add(event: EventRow): void {
    const previous = this.current.at(-1);
    if (previous === undefined || previous.idKey !== event.idKey) {
      const firstRow = this.seen.get(event.idKey);
      if (firstRow !== undefined) {
        throw this.problems.error(
          event.row,
          this.idColumn,
          `ID ${event.id} appears again after other IDs (its rows start at row ${firstRow}); ` +
            'the rows of one subject must be contiguous (NONMEM would read a new individual) — ' +
            'sort the data by ID, then TIME',
        );
      }
      this.finishSubject();
      this.seen.set(event.idKey, event.row);
    } else if (event.time < previous.time && event.evid !== 3 && event.evid !== 4) {
      throw this.problems.error(
        event.row,
        this.timeColumn,
        `TIME ${event.time} is before TIME ${previous.time} of row ${previous.row} in subject ` +
          `${event.id}; TIME must not decrease within a subject except at a reset (EVID 3 or 4)`,
      );
    }
    this.current.push(event);
  }

  /** Closes the last subject; returns every subject in file order. */
  finish(): SubjectRecords[] {
    this.finishSubject();
    return this.subjects;
  }

  private finishSubject(): void {
    const rows = this.current;
    if (rows.length === 0) return;
    this.current = [];
    const id = rows[0].id;
    const doses: DoseRecord[] = [];
    const observations: ObservationRecord[] = [];
    const resets: number[] = [];
    const resetRows: number[] = [];
    for (const e of rows) {
      if (e.evid === 1 || e.evid === 4) {
        doses.push({
          time: e.time,
          cmt: e.cmt,
          amount: e.amt,
          rate: e.rate,
          duration: e.dur,
          ii: e.ii,
          addl: e.addl,
          ss: e.ss,
          reset: e.evid === 4,
          row: e.row,
        });
      } else if (e.evid === 0 && e.mdv === 0) {
        observations.push({ time: e.time, cmt: e.cmt, dv: e.dv!, row: e.row });
      } else if (e.evid === 3) {
        resets.push(e.time);
        resetRows.push(e.row);
      }
    }
    if (observations.length === 0) {
      this.problems.warn(
        'NoObservations',
        rows[0].row,
        undefined,
        `subject ${id} has no observations (EVID 0 with MDV 0)`,
        id,
      );
    }
    const { constant, timeVarying } = subjectCovariates(
      {
        id,
        rows: rows.map((e) => e.row),
        times: rows.map((e) => e.time),
        cells: rows.map((e) => e.covariates),
      },
      this.covariateNames,
      this.problems,
    );
    for (const name of Object.keys(timeVarying)) this.timeVarying.add(name);
    this.subjects.push({
      id,
      doses,
      observations,
      resets,
      resetRows,
      covariates: constant,
      timeVarying,
    });
  }
}
