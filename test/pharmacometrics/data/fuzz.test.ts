// Fuzzing the NONMEM data reader (seeded, bounded): real data files and test fixtures, mutated
// cell by cell and line by line (empty, `.`, NaN, huge, negative, text, duplicate and missing
// headers, extra and missing columns, a BOM, CRLF, quotes, ragged rows, `__proto__` headers),
// and files of random tokens. For every input the reader either throws a ScichainError whose
// message names a row (and, where one is at fault, a column), or returns subjects whose every
// number is finite and whose records are consistent and in data order — never another
// exception, never NaN, never a hang (each case is timed). The schedules of what it returns are
// fuzzed the same way (`doseSchedule` and `doseTimeline`).
import { NONMEM_ITEMS } from '../../../src/pharmacometrics/data/columns.ts';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScichainError } from '../../../src/core/errors.ts';
import { doseSchedule } from '../../../src/pharmacometrics/dosing/build-dose-schedule.ts';
import type { DoseModifiers } from '../../../src/pharmacometrics/dosing/dose-modifiers.ts';
import { doseTimeline } from '../../../src/pharmacometrics/dosing/dose-timeline.ts';
import { doseRecord } from '../../../src/pharmacometrics/simulation/design.ts';
import {
  readNonmemData,
  type NonmemData,
  type NonmemDataOptions,
} from '../../../src/pharmacometrics/nonmem-data.ts';

const THEOPH = readFileSync(new URL('../../../examples/data/theoph.csv', import.meta.url), 'utf8');

/** Real files and the fixtures of the reader's tests: the starting points of mutation. */
const SEEDS: readonly string[] = [
  // The theophylline data: two subjects (the reader is linear; more rows add only time).
  THEOPH.split('\n').slice(0, 24).join('\n'),
  [
    'ID,TIME,DV,AMT,RATE,EVID,MDV,CMT,II,ADDL,SS,DUR',
    '1,0,.,100,0,1,1,1,12,3,0,.',
    '1,48,.,100,50,1,1,2,.,.,.,.',
    '1,60,.,100,-1,1,1,2,.,.,.,.',
    '1,72,.,100,-2,1,1,2,.,.,.,.',
    '1,84,.,100,0,1,1,2,.,.,.,1.5',
    '1,96,.,100,0,1,1,1,24,0,1,.',
    '1,120,.,0,10,1,1,2,0,0,1,.',
    '1,150,3.2,.,.,0,0,2,.,.,.,.',
  ].join('\n'),
  [
    'ID,TIME,DV,AMT,EVID,MDV,CMT',
    '1,0,.,100,1,1,1',
    '1,12,4,0,0,0,2',
    '1,0,.,200,4,1,1',
    '1,12,8,0,0,0,2',
    '1,0,.,.,3,1,.',
    '1,2,5,0,0,0,2',
  ].join('\n'),
  [
    '#ID,TIME,DV,AMT,WT,CRCL,SEX',
    '# a comment line',
    '1,0,.,100,70,.,F',
    '1,1,5.5,.,.,80,F',
    '1,2,4,.,70,85,F',
    '2,0,.,100,.,.,M',
    '2,1,3,.,60,.,M',
  ].join('\n'),
  ['ID,TIME,DV,AMT,II,ADDL,CMT', '1,0,.,100,12,2,1', '1,6,1,.,.,.,2', '1,30,1,.,.,.,2'].join('\n'),
];

/** Cell texts a hostile or careless file holds. */
const NASTY_CELLS = [
  '',
  '.',
  'NaN',
  'nan',
  'Inf',
  '-Infinity',
  '1e309',
  '-1e309',
  '1e308',
  '1e300',
  '1e-320',
  '-1',
  '-0',
  '-2',
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '0.5',
  '1e8',
  '100000000',
  '9007199254740993',
  'abc',
  '#12',
  '"7"',
  '" 3 "',
  '"1,2"',
  '0x10',
  '1_000',
  '+5',
  '.5',
  '5.',
  '1e',
  '--1',
  '__proto__',
  'constructor',
  ' 7 ',
  '\t8',
];

/** Header names: NONMEM items, covariates, and names that collide with Object.prototype. */
const NAMES = [
  ...NONMEM_ITEMS,
  'WT',
  'wt',
  'id',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '',
  ' ',
  '#ID',
  'C',
];

type Table = string[][];

const parseLines = (text: string): Table => text.split('\n').map((line) => line.split(','));

/** One edit of a table of cells (positions are taken modulo the table's size). */
type Mutation = (t: Table) => void;

const at = (n: number, i: number): number => (n === 0 ? 0 : ((i % n) + n) % n);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // A cell becomes a nasty value.
  fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...NASTY_CELLS)).map(([r, c, v]) => (t: Table) => {
    const row = t[at(t.length, r)];
    if (row.length > 0) row[at(row.length, c)] = v;
  }),
  // A header name changes (duplicate, missing, `__proto__`, …).
  fc.tuple(fc.nat(), fc.constantFrom(...NAMES)).map(([c, name]) => (t: Table) => {
    t[0][at(t[0].length, c)] = name;
  }),
  // A whole column is removed, or one is added (to the header only, or to every row).
  fc.nat().map((c) => (t: Table) => {
    const j = at(t[0].length, c);
    for (const row of t) row.splice(j, 1);
  }),
  fc
    .tuple(fc.constantFrom(...NAMES), fc.constantFrom(...NASTY_CELLS), fc.boolean())
    .map(([name, v, everywhere]) => (t: Table) => {
      t[0].push(name);
      if (everywhere) for (const row of t.slice(1)) row.push(v);
    }),
  // A ragged row: a cell removed or added.
  fc
    .tuple(fc.nat(), fc.boolean(), fc.constantFrom(...NASTY_CELLS))
    .map(([r, remove, v]) => (t: Table) => {
      const row = t[at(t.length, r)];
      if (remove) row.pop();
      else row.push(v);
    }),
  // Rows duplicated, swapped, removed, blank, or commented out.
  fc
    .tuple(fc.nat(), fc.nat(), fc.constantFrom('duplicate', 'swap', 'remove', 'blank', 'comment'))
    .map(([a, b, kind]) => (t: Table) => {
      const i = at(t.length, a);
      const j = at(t.length, b);
      if (kind === 'duplicate') t.splice(j, 0, [...t[i]]);
      else if (kind === 'swap') [t[i], t[j]] = [t[j], t[i]];
      else if (kind === 'remove' && t.length > 1) t.splice(i, 1);
      else if (kind === 'blank') t.splice(j, 0, ['']);
      else if (kind === 'comment') t[i][0] = `#${t[i][0] ?? ''}`;
    }),
);

interface WriteStyle {
  bom: boolean;
  eol: string;
  quoteEvery: number;
  pad: boolean;
  unclosedQuote: number;
}

/** How the mutated table is written: BOM, CRLF or CR, quotes, blanks around cells, a bad quote. */
const writing: fc.Arbitrary<WriteStyle> = fc.record({
  bom: fc.boolean(),
  eol: fc.constantFrom('\n', '\r\n', '\r'),
  quoteEvery: fc.integer({ min: 0, max: 4 }),
  pad: fc.boolean(),
  unclosedQuote: fc.integer({ min: 0, max: 30 }),
});

function write(t: Table, w: WriteStyle): string {
  let k = 0;
  const lines = t.map((row) =>
    row
      .map((c) => {
        k++;
        const q = w.quoteEvery > 0 && k % w.quoteEvery === 0 && !c.includes('"') ? `"${c}"` : c;
        return w.pad ? ` ${q} ` : q;
      })
      .join(','),
  );
  if (w.unclosedQuote === 1) lines[lines.length - 1] += ',"open';
  return (w.bom ? '\ufeff' : '') + lines.join(w.eol) + w.eol;
}

const mutatedFile: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 6 }), writing)
  .map(([seed, mutations, w]) => {
    const t = parseLines(seed);
    for (const m of mutations) m(t);
    return write(t, w);
  });

/** Files of random tokens under a random header. */
const randomFile: fc.Arbitrary<string> = fc
  .tuple(
    fc.uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 9 }),
    fc.array(fc.array(fc.constantFrom(...NASTY_CELLS), { maxLength: 10 }), { maxLength: 12 }),
    writing,
  )
  .map(([header, rows, w]) => write([header, ...rows], w));

/**
 * Mostly-valid files: coherent dose, observation and reset rows, with extreme regimens (ADDL 1e8
 * every 1e-3, II 1e300, AMT 1e300 at RATE 1e-300, …), so that reading often succeeds and the
 * schedules meet the bounds.
 */
const doseRow = fc
  .tuple(
    fc.constantFrom('100', '0', '1e300', '1e-300'),
    fc.constantFrom('.', '10', '-1', '-2', '1e-300'),
    fc.constantFrom('.', '1', '2', '3'),
    fc.constantFrom(
      ['.', '.', '.'],
      ['12', '3', '0'],
      ['1e-3', '1e8', '0'],
      ['0.1', '1e12', '0'],
      ['1e300', '1e10', '0'],
      ['24', '0', '1'],
      ['24', '2', '2'],
      ['0', '0', '1'],
    ),
    fc.boolean(),
  )
  .map(([amt, rate, cmt, [ii, addl, ss], reset]) => [
    amt,
    rate,
    reset ? '4' : '1',
    '1',
    cmt,
    ii,
    addl,
    ss,
  ]);
const observationRow = fc
  .constantFrom('0', '3.5', '-1', '1e300')
  .map((dv) => [dv, '.', '.', '0', '0', '2', '.', '.', '.']);
const resetRow = fc.constant(['.', '.', '.', '3', '1', '.', '.', '.', '.']);
const plausibleFile: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      fc.integer({ min: 1, max: 3 }),
      fc.constantFrom(0, 0.5, 1, 2, 12, 24, 1e6, 1e300),
      fc.oneof(
        doseRow.map((r) => ['.', ...r]),
        observationRow,
        resetRow,
      ),
      fc.constantFrom('.', '70', '80'),
    ),
    { minLength: 1, maxLength: 10 },
  )
  .map((rows) =>
    [
      'ID,TIME,DV,AMT,RATE,EVID,MDV,CMT,II,ADDL,SS,__proto__',
      ...rows
        .sort((a, b) => a[0] - b[0] || a[1] - b[1])
        .map(([id, time, cells, wt]) => [id, time, ...cells, wt].join(',')),
    ].join('\n'),
  );

/** Reader options: the model's compartments, default CMTs, and columns dropped (some absent). */
const someOptions: fc.Arbitrary<NonmemDataOptions> = fc.record(
  {
    compartments: fc.constantFrom(1, 2, 3, [1, 3]),
    defaultObservationCmt: fc.constantFrom(0, 2),
    defaultDoseCmt: fc.constantFrom(1, 3),
    drop: fc.array(fc.constantFrom('SEX', 'sex', 'WT', 'DUR', '__proto__', 'NOPE'), {
      maxLength: 2,
    }),
  },
  { requiredKeys: [] },
);
const readerOptions: fc.Arbitrary<NonmemDataOptions> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ compartments: 3 }) },
  { weight: 1, arbitrary: someOptions },
);

/** Each case must finish well within this (ms): no hang, no runaway expansion. */
const CASE_MS = 5000;

/** The error names a row (1-based) of the data, or the row of a dose. */
function expectLocated(e: unknown, text: string): void {
  if (!(e instanceof ScichainError)) {
    throw new Error(`not a ScichainError: ${String(e)}\n--- input ---\n${JSON.stringify(text)}`);
  }
  // A row of the data, or (for inconsistent options) the option at fault.
  expect(e.message).toMatch(/\brow \d+\b|^(compartments|defaultDoseCmt|defaultObservationCmt): /);
  expect(e.message).not.toMatch(/\bNaN\b.*\bundefined\b|\[object Object\]/);
}

const finite = (x: number): boolean => Number.isFinite(x);

/** Every number finite, every subject's records in data order and consistent. */
function expectValid(data: NonmemData): void {
  let lastRow = 0;
  for (const s of data.subjects) {
    expect(s.id).not.toBe('');
    type Item = { row: number; time: number; restart: boolean };
    const items: Item[] = [];
    for (const d of s.doses) {
      for (const x of [d.time, d.cmt, d.amount, d.rate, d.duration, d.ii, d.addl, d.row]) {
        expect(finite(x)).toBe(true);
      }
      expect(d.amount).toBeGreaterThanOrEqual(0);
      expect(Number.isInteger(d.addl) && d.addl >= 0).toBe(true);
      expect(Number.isInteger(d.cmt) && d.cmt >= 1).toBe(true);
      expect(finite(d.time + d.addl * d.ii)).toBe(true);
      items.push({ row: d.row, time: d.time, restart: d.reset });
    }
    for (const o of s.observations) {
      for (const x of [o.time, o.cmt, o.dv, o.row]) expect(finite(x)).toBe(true);
      items.push({ row: o.row, time: o.time, restart: false });
    }
    s.resets.forEach((time, k) => {
      expect(finite(time)).toBe(true);
      items.push({ row: s.resetRows![k], time, restart: true });
    });
    for (const value of Object.values(s.covariates)) expect(finite(value)).toBe(true);
    // Every covariate column is in the subject (constant or time-varying) or reported missing:
    // none is swallowed (a `__proto__` column once was).
    for (const name of data.columns.covariates) {
      const held = Object.hasOwn(s.covariates, name) || Object.hasOwn(s.timeVarying, name);
      const missing = data.warnings.some(
        (w) => w.code === 'CovariateMissing' && w.id === s.id && w.column === name,
      );
      expect(held !== missing).toBe(true);
    }
    for (const series of Object.values(s.timeVarying)) {
      expect(series.times.length).toBe(series.values.length);
      expect(series.times.length).toBeGreaterThan(1);
      expect([...series.times, ...series.values].every(finite)).toBe(true);
    }
    // Data order: rows increase, and TIME never goes back except at a reset.
    items.sort((a, b) => a.row - b.row);
    for (let k = 0; k < items.length; k++) {
      expect(items[k].row).toBeGreaterThan(lastRow);
      if (k > 0 && !items[k].restart) {
        expect(items[k].time).toBeGreaterThanOrEqual(items[k - 1].time);
      }
      lastRow = items[k].row;
    }
  }
  for (const w of data.warnings) {
    expect(Number.isInteger(w.row) && w.row >= 1).toBe(true);
    expect(w.message).toContain(`row ${w.row}`);
  }
}

/** The schedule of each subject (up to its last observation): located errors or finite values. */
function expectSchedules(data: NonmemData, text: string): void {
  for (const s of data.subjects) {
    const until = s.observations.reduce((a, o) => Math.max(a, o.time), -Infinity);
    try {
      const schedule = doseSchedule(
        s.doses,
        s.resets,
        { rate: { 1: 5 }, duration: { 2: 3 } },
        {
          until: until === -Infinity ? 0 : until,
        },
      );
      for (const b of schedule.boluses) expect([b.time, b.amount].every(finite)).toBe(true);
      for (const f of schedule.infusions) {
        expect([f.start, f.rate].every(finite)).toBe(true);
        expect(f.end).toBeGreaterThan(f.start);
      }
      const timeline = doseTimeline(schedule, 3);
      expect([...timeline.time, ...timeline.value].every(finite)).toBe(true);
    } catch (e) {
      expectLocated(e, text);
    }
  }
}

/** Reads `text`, checking the property; returns whether reading succeeded. */
function check(text: string, options: NonmemDataOptions = { compartments: 3 }): boolean {
  const start = performance.now();
  let data: NonmemData | undefined;
  try {
    data = readNonmemData(text, options);
  } catch (e) {
    expectLocated(e, text);
  }
  if (data !== undefined) {
    expectValid(data);
    expectSchedules(data, text);
  }
  expect(performance.now() - start).toBeLessThan(CASE_MS);
  return data !== undefined;
}

describe('fuzzing the NONMEM data reader', () => {
  it('mutated real files: a located ScichainError or valid, finite subjects', () => {
    let read = 0;
    fc.assert(
      fc.property(mutatedFile, readerOptions, (text, options) => {
        if (check(text, options)) read++;
      }),
      { seed: 17_2026, numRuns: 400 },
    );
    // The mutations leave a fair share of files readable: both branches are exercised.
    expect(read).toBeGreaterThan(20);
  });

  it('files of random tokens under random headers', () => {
    fc.assert(
      fc.property(randomFile, (text) => {
        check(text);
      }),
      { seed: 17_2027, numRuns: 300 },
    );
  });

  it('plausible files with extreme values, read and scheduled', () => {
    let read = 0;
    fc.assert(
      fc.property(plausibleFile, (text) => {
        if (check(text)) read++;
      }),
      { seed: 17_2028, numRuns: 150 },
    );
    expect(read).toBeGreaterThan(10);
  });

  it('dose records built in code, with extreme values and modifiers, schedule or err naming the row', () => {
    const extreme = fc.constantFrom(0, 1, 2.5, 12, 1e-300, 1e300, 1e308, -1, -2, NaN, Infinity);
    const record = fc
      .record({
        time: fc.constantFrom(0, 1, 24, -5, 1e300, 1e308, NaN, Infinity),
        cmt: fc.constantFrom(1, 2, 0, 1.5, 9),
        amount: extreme,
        rate: extreme,
        duration: extreme,
        ii: extreme,
        addl: fc.constantFrom(0, 1, 3, 1e8, 1e300, 0.5, -1),
        ss: fc.constantFrom(0 as const, 1 as const, 2 as const),
        reset: fc.boolean(),
      })
      .map((fields) => fields);
    const modifiers: fc.Arbitrary<DoseModifiers> = fc.record(
      {
        lag: fc.record({ 1: fc.constantFrom(0, 0.5, 1e308, -1) }),
        bioavailability: fc.record({ 1: fc.constantFrom(0, 0.7, 1e308) }),
        rate: fc.record({ 1: fc.constantFrom(2, 1e-300) }),
        duration: fc.record({ 2: fc.constantFrom(3, 1e-300) }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.array(record, { minLength: 1, maxLength: 6 }),
        fc.array(fc.constantFrom(0, 5, 1e308, NaN), { maxLength: 2 }),
        modifiers,
        fc.constantFrom(24, 1e6, Infinity),
        (fields, resets, mods, until) => {
          const doses = fields
            .sort((a, b) => a.time - b.time)
            .map((f, k) => doseRecord({ ...f, row: k + 2 }));
          const start = performance.now();
          try {
            const schedule = doseSchedule(doses, resets, mods, { compartments: 3, until });
            for (const b of schedule.boluses) expect([b.time, b.amount].every(finite)).toBe(true);
            for (const f of schedule.infusions) {
              expect([f.start, f.rate].every(finite)).toBe(true);
              expect(f.end).toBeGreaterThan(f.start);
            }
            const timeline = doseTimeline(schedule, 3);
            expect([...timeline.time, ...timeline.value].every(finite)).toBe(true);
          } catch (e) {
            if (!(e instanceof ScichainError)) throw e;
            // A dose row, a reset time, or the modifier at fault.
            expect(e.message).toMatch(/dose row \d+|reset \(EVID 3\) time|ALAG|F1|R1|D2/);
          }
          expect(performance.now() - start).toBeLessThan(CASE_MS);
        },
      ),
      { seed: 17_2029, numRuns: 400 },
    );
  });
});
