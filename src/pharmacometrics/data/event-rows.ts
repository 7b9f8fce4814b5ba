/**
 * One data row → one event: EVID and MDV inferred as NONMEM does when the data lack them, and the
 * row's items checked against its event type.
 */
import type { ColumnLayout, NonmemItem } from './columns.ts';
import type { CsvRow } from './csv-table.ts';
import type { DataProblems } from './data-problems.ts';
import { checkDose } from './dose-rules.ts';
import { readRowItems } from './row-items.ts';

/** NONMEM event types: observation, dose, other, reset, reset and dose. */
export type Evid = 0 | 1 | 2 | 3 | 4;

/** A validated data row. Missing dose items are 0; CMT 0 (or missing) was replaced by a default. */
export interface EventRow {
  /** 1-based file row. */
  readonly row: number;
  /** ID as written; `idKey` compares IDs (numeric IDs by value). */
  readonly id: string;
  readonly idKey: string;
  readonly time: number;
  readonly evid: Evid;
  readonly mdv: 0 | 1;
  readonly dv: number | undefined;
  readonly amt: number;
  readonly rate: number;
  readonly dur: number;
  readonly ii: number;
  readonly addl: number;
  readonly ss: 0 | 1 | 2;
  readonly cmt: number;
  /** Covariate cells (undefined when missing), parallel to `ColumnLayout.covariates`. */
  readonly covariates: readonly (number | undefined)[];
}

/** What rows are checked against. */
export interface RowRules {
  /** Valid CMT numbers (undefined: any). */
  readonly compartments: ReadonlySet<number> | undefined;
  /** Used for dose rows whose CMT is missing or 0. */
  readonly defaultDoseCmt: number;
  /** Used for observation rows whose CMT is missing or 0 (0 = the model's default output). */
  readonly defaultObservationCmt: number;
}

const DOSE_ITEMS = ['AMT', 'RATE', 'DUR', 'II', 'ADDL', 'SS'] as const;
const EVENT_NAMES = ['observation', 'dose', 'other-type', 'reset', 'reset-and-dose'];

/** "a dose row (EVID 1 inferred: no EVID, AMT > 0)" and the like, for messages. */
function describe(evid: Evid, inferredFrom: string | undefined): string {
  const name = EVENT_NAMES[evid];
  const article = name.startsWith('o') ? 'an' : 'a';
  return inferredFrom === undefined
    ? `${article} ${name} row (EVID ${evid})`
    : `${article} ${name} row (EVID ${evid} inferred: no EVID, ${inferredFrom})`;
}

/** Reads the rows of one data set (see {@link EventRowReader.read}). */
export class EventRowReader {
  private readonly layout: ColumnLayout;
  private readonly rules: RowRules;
  private readonly problems: DataProblems;
  /** Columns read as numbers: all but ID and the dropped ones. */
  private readonly numeric: boolean[];

  constructor(layout: ColumnLayout, rules: RowRules, problems: DataProblems) {
    this.layout = layout;
    this.rules = rules;
    this.problems = problems;
    const dropped = new Set(layout.dropped);
    this.numeric = layout.names.map((n, j) => j !== layout.items.ID && !dropped.has(n));
  }

  /** The column name as written in the header, or the item name when the data lack it. */
  private column = (item: NonmemItem): string => {
    const j = this.layout.items[item];
    return j === undefined ? item : this.layout.names[j];
  };

  /**
   * Reads and checks one row (items first, see `readRowItems`). EVID, when not given, is 1 if
   * AMT > 0, else 2 if MDV is 1, else 0; MDV, when not given, is 0 on an observation row with a
   * DV and 1 otherwise. Errors: dose items other than 0 on a row that is not a dose; MDV 0 on a
   * row that is not an observation; MDV 0 without a DV; the dose rules (`checkDose`); a given
   * CMT outside the model's compartments (dose and observation rows). Warnings: an EVID 0 row
   * with MDV 1, a non-zero DV on any other row.
   */
  read(csvRow: CsvRow): EventRow {
    const { layout, problems, rules, column } = this;
    const row = csvRow.row;
    const items = readRowItems(csvRow, layout, this.numeric, problems);
    const { id, dv } = items;

    let inferredFrom: string | undefined;
    let evid: Evid;
    if (items.evid !== undefined) evid = items.evid;
    else if (items.amt > 0) [evid, inferredFrom] = [1, 'AMT > 0'];
    else if (items.mdv === 1) [evid, inferredFrom] = [2, 'MDV 1, AMT not > 0'];
    else [evid, inferredFrom] = [0, 'AMT not > 0'];
    const what = describe(evid, inferredFrom);
    const isDose = evid === 1 || evid === 4;

    if (!isDose) {
      for (const name of DOSE_ITEMS) {
        const v = items[name.toLowerCase() as Lowercase<typeof name>];
        if (v !== 0) {
          throw problems.error(
            row,
            column(name),
            `${name} ${v} on ${what}: dose data items (AMT, RATE, DUR, II, ADDL, SS) belong ` +
              'on dose rows (EVID 1 or 4)',
          );
        }
      }
    }

    const mdv = items.mdv ?? (evid === 0 && dv !== undefined ? 0 : 1);
    if (mdv === 0 && evid !== 0) {
      throw problems.error(
        row,
        column('MDV'),
        `MDV 0 on ${what}; only observation rows (EVID 0) can have MDV 0`,
      );
    }
    if (evid === 0 && mdv === 0 && dv === undefined) {
      throw problems.error(row, column('DV'), 'DV is missing on an observation row with MDV 0');
    }
    if (evid === 0 && mdv === 1) {
      if (items.mdv === 1) {
        const problem = `MDV 1 on ${what}: the row is not used as an observation`;
        problems.warn('UnusedObservation', row, column('MDV'), problem, id);
      } else {
        const problem = `DV is missing on ${what}, so MDV is 1 and the row is not an observation`;
        problems.warn('UnusedObservation', row, column('DV'), problem, id);
      }
    }
    if (evid !== 0 && dv !== undefined && dv !== 0) {
      problems.warn('IgnoredDV', row, column('DV'), `DV ${dv} on ${what} is ignored`, id);
    }
    if (isDose) checkDose(items, items.time, row, id, column, problems);

    const recorded = isDose || (evid === 0 && mdv === 0);
    if (recorded && items.cmt !== 0 && rules.compartments && !rules.compartments.has(items.cmt)) {
      throw problems.error(
        row,
        column('CMT'),
        `CMT ${items.cmt} on ${what} is not a compartment of the model ` +
          `(valid: ${[...rules.compartments].join(', ')})`,
      );
    }
    const defaultCmt = isDose ? rules.defaultDoseCmt : rules.defaultObservationCmt;

    return {
      row,
      id,
      idKey: items.idKey,
      time: items.time,
      evid,
      mdv,
      dv,
      amt: items.amt,
      rate: items.rate,
      dur: items.dur,
      ii: items.ii,
      addl: items.addl,
      ss: items.ss,
      cmt: items.cmt === 0 ? defaultCmt : items.cmt,
      covariates: layout.covariates.map(({ index }) => items.values[index]),
    };
  }
}
