/**
 * Consistency rules for dose rows (EVID 1 and 4), after each item was read and range-checked:
 * how RATE, DUR, II, ADDL and SS combine, as NM-TRAN checks them.
 */
import type { DataProblems } from './data-problems.ts';

/** The dose data items of one row (missing items are 0, as NONMEM reads them). */
export interface DoseItems {
  readonly amt: number;
  readonly rate: number;
  readonly dur: number;
  readonly ii: number;
  readonly addl: number;
  readonly ss: number;
}

/**
 * Checks one dose row; `column(item)` gives the column name as written (or the item name when
 * the data lack the column). Errors: RATE and DUR both given; ADDL without II; II without ADDL
 * on a non-steady-state dose; a last additional dose TIME + ADDL·II, an infusion length
 * AMT/RATE or a rate AMT/DUR that overflows to ∞; SS with II 0 unless it is a constant infusion
 * (RATE > 0, AMT 0). Warns about AMT 0 on other doses. `time` is the row's TIME.
 */
export function checkDose(
  dose: DoseItems,
  time: number,
  row: number,
  id: string,
  column: (item: 'AMT' | 'RATE' | 'DUR' | 'II' | 'ADDL' | 'SS') => string,
  problems: DataProblems,
): void {
  const { amt, rate, dur, ii, addl, ss } = dose;
  if (rate !== 0 && dur > 0) {
    throw problems.error(
      row,
      column('DUR'),
      `DUR ${dur} and RATE ${rate} are both given; an infusion takes its length from one of ` +
        'them (RATE > 0 or −2, or DUR with RATE 0)',
    );
  }
  if (addl > 0 && ii === 0) {
    throw problems.error(
      row,
      column('ADDL'),
      `ADDL ${addl} without II: additional doses need an interdose interval II > 0`,
    );
  }
  if (ii > 0 && addl === 0 && ss === 0) {
    throw problems.error(
      row,
      column('II'),
      `II ${ii} without ADDL: an interdose interval needs additional doses (ADDL > 0) or a ` +
        'steady-state dose (SS 1 or 2)',
    );
  }
  const last = time + addl * ii;
  if (!Number.isFinite(last)) {
    throw problems.error(
      row,
      column('ADDL'),
      `the last of ADDL ${addl} additional doses every II ${ii} after TIME ${time} falls at ` +
        `${last}; dose times must be finite`,
      'NonFinite',
    );
  }
  // An infusion's length AMT/RATE (or rate AMT/DUR) must be finite too, or the dose would
  // never end (or deliver everything at once).
  if (rate > 0 && amt > 0 && !Number.isFinite(amt / rate)) {
    throw problems.error(
      row,
      column('RATE'),
      `AMT ${amt} at RATE ${rate} lasts ${amt / rate}; an infusion must end`,
      'NonFinite',
    );
  }
  if (dur > 0 && !Number.isFinite(amt / dur)) {
    throw problems.error(
      row,
      column('DUR'),
      `AMT ${amt} over DUR ${dur} is a rate of ${amt / dur}; rates must be finite`,
      'NonFinite',
    );
  }
  const constantInfusion = ss > 0 && ii === 0;
  if (constantInfusion && !(rate > 0)) {
    throw problems.error(
      row,
      column('SS'),
      `SS ${ss} with II 0 needs RATE > 0 (a steady-state constant infusion); a steady-state ` +
        `bolus or modelled-rate dose needs II > 0 (RATE is ${rate})`,
    );
  }
  if (constantInfusion && amt !== 0) {
    throw problems.error(
      row,
      column('AMT'),
      `a steady-state constant infusion (SS ${ss}, II 0, RATE ${rate}) needs AMT 0, got ${amt}`,
    );
  }
  if (amt === 0 && !constantInfusion) {
    problems.warn('ZeroAmount', row, column('AMT'), 'a dose with AMT 0 gives no drug', id);
  }
}
