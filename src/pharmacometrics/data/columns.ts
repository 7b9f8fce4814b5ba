/**
 * The header of a NONMEM-style data set: which columns are NONMEM data items (by their names,
 * case-insensitive), which are covariates (every other column) and which are dropped.
 */
import type { DataProblems } from './data-problems.ts';

/** The NONMEM data items the reader understands (DUR is not NONMEM's, but common elsewhere). */
export const NONMEM_ITEMS = [
  'ID',
  'TIME',
  'DV',
  'AMT',
  'RATE',
  'EVID',
  'MDV',
  'CMT',
  'II',
  'ADDL',
  'SS',
  'DUR',
] as const;

/** A NONMEM data item name (upper case). */
export type NonmemItem = (typeof NONMEM_ITEMS)[number];

/** The header as read: data items and covariates by 0-based column index. */
export interface ColumnLayout {
  /** Every header name as written, in file order. */
  readonly names: readonly string[];
  /** Data item → 0-based column index (absent when the data have no such column). */
  readonly items: Readonly<Partial<Record<NonmemItem, number>>>;
  /** Covariate columns: every column that is neither a data item nor dropped. */
  readonly covariates: readonly { readonly name: string; readonly index: number }[];
  /** Columns left out on request, as written in the header. */
  readonly dropped: readonly string[];
}

const isItem = (name: string): name is NonmemItem =>
  (NONMEM_ITEMS as readonly string[]).includes(name);

/**
 * Classifies the header. Errors (row `headerRow`): an empty name, a duplicate name (NONMEM names
 * are case-insensitive, so `WT` and `wt` clash), a missing ID or TIME column, neither DV nor AMT,
 * or a `drop` name that is not in the header (or is ID or TIME).
 */
export function readColumns(
  header: readonly string[],
  headerRow: number,
  drop: readonly string[],
  problems: DataProblems,
): ColumnLayout {
  const seen = new Map<string, number>();
  header.forEach((name, j) => {
    if (name === '') throw problems.error(headerRow, `${j + 1}`, 'the column has no name');
    const key = name.toUpperCase();
    const first = seen.get(key);
    if (first !== undefined) {
      throw problems.error(
        headerRow,
        `${j + 1} (${name})`,
        `duplicate column name ${name}: column ${first + 1} is ${header[first]} ` +
          '(column names are case-insensitive)',
      );
    }
    seen.set(key, j);
  });

  const dropKeys = new Set(drop.map((d) => d.toUpperCase()));
  for (const d of drop) {
    const key = d.toUpperCase();
    if (!seen.has(key)) {
      throw problems.error(headerRow, d, `drop names a column ${d} that is not in the header`);
    }
    if (key === 'ID' || key === 'TIME') {
      throw problems.error(headerRow, d, `the ${key} column cannot be dropped`);
    }
  }

  const items: Partial<Record<NonmemItem, number>> = {};
  const covariates: { name: string; index: number }[] = [];
  const dropped: string[] = [];
  header.forEach((name, index) => {
    const key = name.toUpperCase();
    if (dropKeys.has(key)) dropped.push(name);
    else if (isItem(key)) items[key] = index;
    else covariates.push({ name, index });
  });

  const list = header.join(',');
  for (const required of ['ID', 'TIME'] as const) {
    if (items[required] === undefined) {
      throw problems.error(
        headerRow,
        required,
        `missing required column ${required} (header: ${list})`,
      );
    }
  }
  if (items.DV === undefined && items.AMT === undefined) {
    throw problems.error(
      headerRow,
      'DV',
      `missing required column: the data need DV or AMT, or both (header: ${list})`,
    );
  }
  return { names: header, items, covariates, dropped };
}
