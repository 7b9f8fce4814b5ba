// Writes generated data sets as NONMEM-style CSV text and states the records a reader should
// return — the two halves of the reader's round-trip property test.
import type {
  CovariateSeries,
  DoseRecord,
  ObservationRecord,
  SubjectRecords,
} from '../../../src/pharmacometrics/records.ts';

/** One generated event (a data row). */
export type GeneratedEvent =
  | {
      readonly kind: 'dose';
      readonly time: number;
      readonly cmt: number;
      readonly amount: number;
      readonly rate: number;
      readonly duration: number;
      readonly ii: number;
      readonly addl: number;
      readonly ss: 0 | 1 | 2;
      readonly reset: boolean;
    }
  | {
      readonly kind: 'observation';
      readonly time: number;
      readonly cmt: number;
      readonly dv: number;
    }
  | { readonly kind: 'reset'; readonly time: number }
  | { readonly kind: 'other'; readonly time: number };

/** One generated subject: events in data order, covariate values per subject or per event. */
export interface GeneratedSubject {
  readonly id: string;
  readonly events: readonly GeneratedEvent[];
  /** Values of the constant covariates C1, C2, … */
  readonly constant: readonly number[];
  /** `varying[k][e]`: covariate V(k+1) on event `e`. */
  readonly varying: readonly (readonly number[])[];
}

/** How the text is laid out; none of it may change what is read. */
export interface CsvStyle {
  readonly eol: '\n' | '\r\n';
  readonly missing: '.' | '';
  /** Quote every third cell. */
  readonly quote: boolean;
  /** Blanks around every cell. */
  readonly pad: boolean;
  /** Lower-case data item names (ID, TIME, …). */
  readonly lowerCase: boolean;
  /** A leading `#` on the header and a comment line after it. */
  readonly comments: boolean;
}

const ITEMS = ['ID', 'TIME', 'DV', 'AMT', 'RATE', 'DUR', 'EVID', 'MDV', 'CMT', 'II', 'ADDL', 'SS'];

/** Writes subjects as CSV text (header row 1, then one row per event). */
export function writeNonmemCsv(
  subjects: readonly GeneratedSubject[],
  nConstant: number,
  nVarying: number,
  style: CsvStyle,
): string {
  const m = style.missing;
  const names = [
    ...ITEMS.map((n) => (style.lowerCase ? n.toLowerCase() : n)),
    ...Array.from({ length: nConstant }, (_, k) => `C${k + 1}`),
    ...Array.from({ length: nVarying }, (_, k) => `V${k + 1}`),
  ];
  const lines: string[][] = [names];
  for (const s of subjects) {
    s.events.forEach((e, j) => {
      const t = String(e.time);
      let items: string[];
      switch (e.kind) {
        case 'dose':
          items = [
            ...[t, m, String(e.amount), String(e.rate), String(e.duration)],
            ...[e.reset ? '4' : '1', '1', String(e.cmt), String(e.ii), String(e.addl)],
            String(e.ss),
          ];
          break;
        case 'observation':
          items = [t, String(e.dv), '0', m, m, '0', '0', String(e.cmt), m, '0', m];
          break;
        case 'reset':
          items = [t, m, m, '0', m, '3', '1', m, '0', m, m];
          break;
        case 'other':
          items = [t, m, '0', m, m, '2', '1', m, m, m, '0'];
          break;
      }
      lines.push([
        s.id,
        ...items,
        ...s.constant.map(String),
        ...s.varying.map((v) => String(v[j])),
      ]);
    });
  }
  if (style.comments) lines[0][0] = `#${lines[0][0]}`;
  let cellIndex = 0;
  const text = lines.map((cells) =>
    cells
      .map((c) => {
        const quoted = style.quote && cellIndex++ % 3 === 0 ? `"${c}"` : c;
        return style.pad ? ` ${quoted}  ` : quoted;
      })
      .join(','),
  );
  if (style.comments) text.splice(1, 0, '# a comment line, as NONMEM IGNORE=# skips it');
  return text.join(style.eol) + style.eol;
}

/** A covariate's value on each row → a constant, or the LOCF series of its changes. */
function covariate(times: readonly number[], values: readonly number[]): number | CovariateSeries {
  const at = values.flatMap((v, r) => (r === 0 || v !== values[r - 1] ? [r] : []));
  if (at.length === 1) return values[0];
  return {
    times: Float64Array.from(at, (r) => times[r]),
    values: Float64Array.from(at, (r) => values[r]),
  };
}

/** The records the reader should return for `subjects` written by {@link writeNonmemCsv}. */
export function expectedRecords(
  subjects: readonly GeneratedSubject[],
  style: CsvStyle,
): SubjectRecords[] {
  let row = style.comments ? 3 : 2;
  return subjects.map((s) => {
    const doses: DoseRecord[] = [];
    const observations: ObservationRecord[] = [];
    const resets: number[] = [];
    const resetRows: number[] = [];
    for (const e of s.events) {
      if (e.kind === 'dose') {
        const { kind: _, ...dose } = e;
        doses.push({ ...dose, row });
      } else if (e.kind === 'observation') {
        const { kind: _, ...observation } = e;
        observations.push({ ...observation, row });
      } else if (e.kind === 'reset') {
        resets.push(e.time);
        resetRows.push(row);
      }
      row++;
    }
    const covariates: Record<string, number> = {};
    const timeVarying: Record<string, CovariateSeries> = {};
    s.constant.forEach((v, k) => (covariates[`C${k + 1}`] = v));
    const times = s.events.map((e) => e.time);
    s.varying.forEach((values, k) => {
      const c = covariate(times, values);
      if (typeof c === 'number') covariates[`V${k + 1}`] = c;
      else timeVarying[`V${k + 1}`] = c;
    });
    return { id: s.id, doses, observations, resets, resetRows, covariates, timeVarying };
  });
}
