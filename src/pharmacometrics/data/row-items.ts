/**
 * The data items of one row, read and checked one at a time (their ranges), before any rule
 * about how they combine.
 */
import { isMissing, readNumber } from './cells.ts';
import type { ColumnLayout, NonmemItem } from './columns.ts';
import type { CsvRow } from './csv-table.ts';
import type { DataProblems } from './data-problems.ts';

/** One row's items. Missing dose items and CMT are 0, as NONMEM reads them. */
export interface RowItems {
  /** ID as written; `idKey` compares IDs (numeric IDs by value, so `01` and `1` are equal). */
  readonly id: string;
  readonly idKey: string;
  readonly time: number;
  /** EVID and MDV when given (column present, cell not missing): they may be inferred. */
  readonly evid: 0 | 1 | 2 | 3 | 4 | undefined;
  readonly mdv: 0 | 1 | undefined;
  readonly dv: number | undefined;
  readonly amt: number;
  readonly rate: number;
  readonly dur: number;
  readonly ii: number;
  readonly addl: number;
  readonly ss: 0 | 1 | 2;
  /** 0 when missing: the default compartment. */
  readonly cmt: number;
  /** Every numeric cell by 0-based column (undefined: missing, ID, or dropped). */
  readonly values: readonly (number | undefined)[];
}

const NUMERIC_ID = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The key that compares IDs: numeric IDs by value (`01`, `1.0` and `1e0` are one subject) when
 * the value tells them apart — at most 15 significant digits (distinct such decimals are distinct
 * doubles) and finite — and as text otherwise, so that two 20-digit IDs differing in the last
 * digit, or `1e400` and `2e400`, stay two subjects instead of merging silently.
 */
export function idKey(id: string): string {
  if (!NUMERIC_ID.test(id)) return id;
  const value = Number(id);
  const mantissa = id
    .replace(/^[+-]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '');
  const digits = mantissa.replace(/^0+/, '').replace(/0+$/, '').length;
  return Number.isFinite(value) && digits <= 15 ? String(value) : id;
}

/**
 * Reads one row's cells. Non-numeric and infinite cells are reported first, in column order;
 * then missing ID or TIME and items out of range: EVID not 0–4, MDV not 0 or 1, AMT < 0, RATE
 * < 0 other than −1 and −2, DUR < 0, II < 0, ADDL not an integer ≥ 0, SS not 0–2, CMT not an
 * integer ≥ 0. `numeric[j]` says whether column `j` is read as a number.
 */
export function readRowItems(
  { row, cells }: CsvRow,
  layout: ColumnLayout,
  numeric: readonly boolean[],
  problems: DataProblems,
): RowItems {
  const values = cells.map((text, j) =>
    numeric[j] ? readNumber(text, row, layout.names[j], problems) : undefined,
  );
  const column = (name: NonmemItem): string => {
    const j = layout.items[name];
    return j === undefined ? name : layout.names[j];
  };
  const item = (name: NonmemItem): number | undefined => {
    const j = layout.items[name];
    return j === undefined ? undefined : values[j];
  };
  const fail = (name: NonmemItem, problem: string) => problems.error(row, column(name), problem);

  const id = cells[layout.items.ID!];
  if (isMissing(id)) throw fail('ID', 'ID is missing');
  const time = item('TIME');
  if (time === undefined) throw fail('TIME', 'TIME is missing');

  const evid = item('EVID');
  if (evid !== undefined && evid !== 0 && evid !== 1 && evid !== 2 && evid !== 3 && evid !== 4) {
    throw fail(
      'EVID',
      `unknown EVID ${evid}; NONMEM events are 0 observation, 1 dose, 2 other, 3 reset, ` +
        '4 reset and dose',
    );
  }
  const mdv = item('MDV');
  if (mdv !== undefined && mdv !== 0 && mdv !== 1) {
    throw fail('MDV', `MDV must be 0 or 1, got ${mdv}`);
  }
  const amt = item('AMT') ?? 0;
  if (amt < 0) throw fail('AMT', `negative AMT ${amt}; amounts must be ≥ 0`);
  const rate = item('RATE') ?? 0;
  if (rate < 0 && rate !== -1 && rate !== -2) {
    throw fail(
      'RATE',
      `RATE ${rate} is negative; RATE must be ≥ 0, or −1 (rate from the model) or −2 ` +
        '(duration from the model)',
    );
  }
  const dur = item('DUR') ?? 0;
  if (dur < 0) throw fail('DUR', `negative DUR ${dur}; DUR must be ≥ 0`);
  const ii = item('II') ?? 0;
  if (ii < 0) throw fail('II', `negative II ${ii}; II must be ≥ 0`);
  const addl = item('ADDL') ?? 0;
  if (!(Number.isInteger(addl) && addl >= 0)) {
    throw fail('ADDL', `ADDL must be an integer ≥ 0, got ${addl}`);
  }
  const ss = item('SS') ?? 0;
  if (ss !== 0 && ss !== 1 && ss !== 2) {
    throw fail(
      'SS',
      `unknown SS ${ss}; SS is 0 (none), 1 (reset to steady state) or 2 (steady state added)`,
    );
  }
  const cmt = item('CMT') ?? 0;
  if (!(Number.isInteger(cmt) && cmt >= 0)) {
    throw fail(
      'CMT',
      `CMT must be an integer ≥ 0 (0: the default compartment), got ${cmt}` +
        (cmt < 0 ? '; negative CMT (switching a compartment off) is not supported' : ''),
    );
  }
  return {
    id,
    idKey: idKey(id),
    time,
    evid,
    mdv,
    dv: item('DV'),
    amt,
    rate,
    dur,
    ii,
    addl,
    ss,
    cmt,
    values,
  };
}
