/** Numeric cells of a NONMEM-style data set: `.` and empty cells are missing. */
import type { DataProblems } from './data-problems.ts';

// Decimal numbers as data files write them: 12, -0.5, .5, 5., 1e-3, 1.5E+02.
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^[+-]?inf(?:inity)?$/i;

/** True for the cells NONMEM reads as missing: `.` and empty. */
export function isMissing(text: string): boolean {
  return text === '' || text === '.';
}

/**
 * Reads a trimmed cell: `undefined` when missing, else its finite value. Text that is not a
 * decimal number (`NaN` included) is an `InvalidArgument` error naming the text; infinite
 * values (`Inf`, `1e999`) are a `NonFinite` error.
 */
export function readNumber(
  text: string,
  row: number,
  column: string,
  problems: DataProblems,
): number | undefined {
  if (isMissing(text)) return undefined;
  if (INFINITY.test(text)) {
    throw problems.error(row, column, `"${text}" is infinite; values must be finite`, 'NonFinite');
  }
  if (!NUMBER.test(text)) {
    throw problems.error(row, column, `"${text}" is not a number`);
  }
  const value = Number(text);
  if (!Number.isFinite(value)) {
    throw problems.error(
      row,
      column,
      `"${text}" overflows to ${value}; values must be finite`,
      'NonFinite',
    );
  }
  return value;
}
