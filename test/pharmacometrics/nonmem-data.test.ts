// Reading NONMEM-style data: inference of EVID and MDV, one test per error and per warning (each
// message naming its row and column), the theophylline file, and a round trip of random data.
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScichainError, type ErrorCode } from '../../src/core/errors.ts';
import {
  readNonmemData,
  readNonmemFile,
  type DataWarningCode,
  type NonmemDataOptions,
} from '../../src/pharmacometrics/nonmem-data.ts';
import {
  expectedRecords,
  writeNonmemCsv,
  type CsvStyle,
  type GeneratedEvent,
  type GeneratedSubject,
} from './data/write-nonmem-csv.ts';
import { dose as doseRecord } from './helpers/records.ts';

const THEOPH = fileURLToPath(new URL('../../examples/data/theoph.csv', import.meta.url));

const csv = (...lines: string[]) => lines.join('\n');
const H = 'ID,TIME,DV,AMT,EVID,MDV,CMT';
const DOSES = 'ID,TIME,DV,AMT,RATE,EVID,MDV,CMT,II,ADDL,SS';

/** The ScichainError that reading `text` throws. */
function readError(text: string, options?: NonmemDataOptions): ScichainError {
  try {
    readNonmemData(text, options);
  } catch (e) {
    if (e instanceof ScichainError) return e;
    throw e;
  }
  throw new Error('reading succeeded, an error was expected');
}

/** Reading `text` fails with `code` and a message containing every fragment. */
function expectError(
  text: string,
  fragments: readonly string[],
  options?: NonmemDataOptions,
  code: ErrorCode = 'InvalidArgument',
): void {
  const e = readError(text, options);
  expect(e.code).toBe(code);
  for (const f of fragments) expect(e.message).toContain(f);
}

/** Reading `text` gives exactly one warning of `code`, at `row` and `column`, mentioning `text`. */
function expectWarning(
  text: string,
  code: DataWarningCode,
  row: number,
  column: string | undefined,
  fragment: string,
): void {
  const { warnings } = readNonmemData(text);
  const found = warnings.filter((w) => w.code === code);
  expect(found).toHaveLength(1);
  expect(found[0].row).toBe(row);
  expect(found[0].column).toBe(column);
  const at = column === undefined ? `row ${row}` : `row ${row}, column ${column}`;
  expect(found[0].message).toContain(at);
  expect(found[0].message).toContain(fragment);
}

describe('readNonmemData: reading', () => {
  it('reads doses, observations and constant covariates; `.` and empty cells are missing', () => {
    const data = readNonmemData(
      csv(H + ',WT', '1,0,.,100,1,1,1,70', '1,1,5.5,,0,0,2,70', '1,2,4,0,0,0,2,70'),
    );
    expect(data.warnings).toEqual([]);
    expect(data.subjects).toHaveLength(1);
    const [s] = data.subjects;
    expect(s.id).toBe('1');
    // The columns the data lack take NONMEM's defaults (a bolus, no II, ADDL or SS, no reset).
    expect(s.doses).toEqual([doseRecord({ time: 0, cmt: 1, amount: 100, row: 2 })]);
    expect(s.observations).toEqual([
      { time: 1, cmt: 2, dv: 5.5, row: 3 },
      { time: 2, cmt: 2, dv: 4, row: 4 },
    ]);
    expect(s.covariates).toEqual({ WT: 70 });
    expect(s.timeVarying).toEqual({});
    expect(data.columns).toEqual({
      names: ['ID', 'TIME', 'DV', 'AMT', 'EVID', 'MDV', 'CMT', 'WT'],
      items: { ID: 'ID', TIME: 'TIME', DV: 'DV', AMT: 'AMT', EVID: 'EVID', MDV: 'MDV', CMT: 'CMT' },
      covariates: ['WT'],
      timeVarying: [],
      dropped: [],
    });
  });

  it('finds columns case-insensitively and keeps their names as written', () => {
    const data = readNonmemData(csv('id,Time,dv,Amt,Wt', '7,0,.,10,60', '7,1,3,0,60'));
    expect(data.columns.items).toEqual({ ID: 'id', TIME: 'Time', DV: 'dv', AMT: 'Amt' });
    expect(data.subjects[0].covariates).toEqual({ Wt: 60 });
    expect(data.subjects[0].doses[0].amount).toBe(10);
  });

  it('infers EVID when absent: AMT > 0 is a dose, MDV 1 another-type row, else an observation', () => {
    const data = readNonmemData(
      csv('ID,TIME,DV,AMT,MDV', '1,0,.,50,1', '1,0.5,.,0,1', '1,1,2.5,0,0', '1,2,3,.,.'),
    );
    const [s] = data.subjects;
    expect(s.doses.map((d) => d.row)).toEqual([2]);
    expect(s.observations.map((o) => [o.row, o.dv])).toEqual([
      [4, 2.5],
      [5, 3],
    ]);
    expect(data.warnings).toEqual([]);
  });

  it('infers MDV when absent: 1 on dose and other rows, 0 on observations with a DV', () => {
    const data = readNonmemData(
      csv('ID,TIME,DV,AMT,EVID', '1,0,0,50,1', '1,0.5,0,0,2', '1,1,2.5,0,0', '1,2,0,0,0'),
    );
    expect(data.subjects[0].observations.map((o) => [o.time, o.dv])).toEqual([
      [1, 2.5],
      [2, 0],
    ]);
    expect(data.warnings).toEqual([]);
  });

  it('reads an other-type row (EVID 2) only for its covariates', () => {
    const data = readNonmemData(
      csv('ID,TIME,DV,EVID,MDV,CRCL', '1,0,1,0,0,80', '1,5,.,2,1,60', '1,6,2,0,0,60'),
    );
    const [s] = data.subjects;
    expect(s.observations).toHaveLength(2);
    expect(s.doses).toHaveLength(0);
    expect(s.timeVarying.CRCL).toEqual({
      times: Float64Array.of(0, 5),
      values: Float64Array.of(80, 60),
    });
    expect(data.columns.timeVarying).toEqual(['CRCL']);
  });

  it('reads time-varying covariates as LOCF series of their changes, constant ones by value', () => {
    const data = readNonmemData(
      csv(
        H + ',WT,CRCL',
        '1,0,.,100,1,1,1,70,80',
        '1,1,5,0,0,0,2,70,80',
        '1,2,4,0,0,0,2,70,75',
        '1,3,3,0,0,0,2,70,75',
        '1,4,2,0,0,0,2,70,90',
        '2,0,.,100,1,1,1,55,60',
        '2,1,6,0,0,0,2,55,60',
      ),
    );
    const [a, b] = data.subjects;
    expect(a.covariates).toEqual({ WT: 70 });
    expect(a.timeVarying).toEqual({
      CRCL: { times: Float64Array.of(0, 2, 4), values: Float64Array.of(80, 75, 90) },
    });
    expect(b.covariates).toEqual({ WT: 55, CRCL: 60 });
    expect(b.timeVarying).toEqual({});
    expect(data.columns.covariates).toEqual(['WT', 'CRCL']);
    expect(data.columns.timeVarying).toEqual(['CRCL']);
  });

  it('reads multiple dosing, steady state, infusions and the modelled rate and duration', () => {
    const data = readNonmemData(
      csv(
        DOSES + ',DUR',
        '1,0,.,100,0,1,1,1,12,3,0,.',
        '1,48,.,100,50,1,1,2,.,.,.,.',
        '1,60,.,100,-1,1,1,2,.,.,.,.',
        '1,72,.,100,-2,1,1,2,.,.,.,.',
        '1,84,.,100,0,1,1,2,.,.,.,1.5',
        '1,96,.,100,0,1,1,1,24,0,1,.',
        '1,120,.,0,10,1,1,2,0,0,1,.',
        '1,150,3.2,.,.,0,0,2,.,.,.,.',
      ),
    );
    const doses = data.subjects[0].doses.map(({ time, cmt, rate, duration, ii, addl, ss }) => ({
      time,
      cmt,
      rate,
      duration,
      ii,
      addl,
      ss,
    }));
    expect(doses).toEqual([
      { time: 0, cmt: 1, rate: 0, duration: 0, ii: 12, addl: 3, ss: 0 },
      { time: 48, cmt: 2, rate: 50, duration: 0, ii: 0, addl: 0, ss: 0 },
      { time: 60, cmt: 2, rate: -1, duration: 0, ii: 0, addl: 0, ss: 0 },
      { time: 72, cmt: 2, rate: -2, duration: 0, ii: 0, addl: 0, ss: 0 },
      { time: 84, cmt: 2, rate: 0, duration: 1.5, ii: 0, addl: 0, ss: 0 },
      { time: 96, cmt: 1, rate: 0, duration: 0, ii: 24, addl: 0, ss: 1 },
      { time: 120, cmt: 2, rate: 10, duration: 0, ii: 0, addl: 0, ss: 1 },
    ]);
    // The steady-state constant infusion (row 8) has AMT 0 on purpose: no warning.
    expect(data.warnings).toEqual([]);
  });

  it('reads resets: EVID 3 times and rows, EVID 4 doses; TIME may restart at a reset', () => {
    const data = readNonmemData(
      csv(
        H,
        '1,0,.,100,1,1,1',
        '1,12,4,0,0,0,2',
        '1,0,.,200,4,1,1',
        '1,12,8,0,0,0,2',
        '1,0,.,.,3,1,.',
        '1,2,5,0,0,0,2',
      ),
    );
    const [s] = data.subjects;
    expect(s.doses.map((d) => [d.time, d.amount, d.reset, d.row])).toEqual([
      [0, 100, false, 2],
      [0, 200, true, 4],
    ]);
    expect(s.resets).toEqual([0]);
    expect(s.resetRows).toEqual([6]);
    expect(s.observations.map((o) => [o.time, o.row])).toEqual([
      [12, 3],
      [12, 5],
      [2, 7],
    ]);
  });

  it('uses default compartments for CMT 0 or missing, and checks CMT against the model', () => {
    const text = csv('ID,TIME,DV,AMT,CMT', '1,0,.,100,.', '1,1,5,0,0', '1,2,4,0,2');
    const plain = readNonmemData(text).subjects[0];
    expect(plain.doses[0].cmt).toBe(1);
    expect(plain.observations.map((o) => o.cmt)).toEqual([0, 2]);
    const set = readNonmemData(text, {
      compartments: [1, 2],
      defaultDoseCmt: 2,
      defaultObservationCmt: 2,
    }).subjects[0];
    expect(set.doses[0].cmt).toBe(2);
    expect(set.observations.map((o) => o.cmt)).toEqual([2, 2]);
  });

  it('keeps subjects in file order; numeric IDs compare by value, other IDs are labels', () => {
    const data = readNonmemData(csv('ID,TIME,DV', '10,0,1', '010,1,2', 'A-7,0,3', '2,0,4'));
    expect(data.subjects.map((s) => [s.id, s.observations.length])).toEqual([
      ['10', 2],
      ['A-7', 1],
      ['2', 1],
    ]);
  });

  it('handles CRLF, a BOM, blank lines, quotes, blanks, a #-header and # comment lines', () => {
    const text =
      '\ufeff# theophylline, study 1\r\n#ID, TIME ,DV,AMT\r\n\r\n# dropped subject\r\n1, "0" ,.,100\r\n \r\n1,1,"2.5",0\r\n,,,\r\n';
    const data = readNonmemData(text);
    expect(data.columns.names).toEqual(['ID', 'TIME', 'DV', 'AMT']);
    const [s] = data.subjects;
    expect(s.doses[0].row).toBe(5);
    expect(s.observations).toEqual([{ time: 1, cmt: 0, dv: 2.5, row: 7 }]);
  });

  it('drops columns on request (text columns, for example)', () => {
    const data = readNonmemData(csv('ID,TIME,DV,SEX,WT', '1,0,1,F,60', '1,1,2,F,60'), {
      drop: ['sex'],
    });
    expect(data.columns.dropped).toEqual(['SEX']);
    expect(data.columns.covariates).toEqual(['WT']);
    expect(data.subjects[0].covariates).toEqual({ WT: 60 });
  });

  it('reads a file and names its path in messages', () => {
    expect(readNonmemFile(THEOPH).subjects).toHaveLength(12);
    expect(() => readNonmemFile('/nonexistent/data.csv')).toThrow(
      /cannot read data file \/nonexistent\/data\.csv/,
    );
  });
});

describe('readNonmemData: the theophylline data (examples/data/theoph.csv)', () => {
  const data = readNonmemFile(THEOPH, { compartments: 2 });

  it('has 12 subjects, 132 observations and one dose each into CMT 1', () => {
    expect(data.warnings).toEqual([]);
    expect(data.subjects.map((s) => s.id)).toEqual(
      Array.from({ length: 12 }, (_, k) => String(k + 1)),
    );
    expect(data.subjects.reduce((n, s) => n + s.observations.length, 0)).toBe(132);
    for (const s of data.subjects) {
      expect(s.observations).toHaveLength(11);
      expect(s.doses).toHaveLength(1);
      expect(s.doses[0]).toMatchObject({ time: 0, cmt: 1, rate: 0, ii: 0, addl: 0, ss: 0 });
      expect(s.observations.every((o) => o.cmt === 2)).toBe(true);
      expect(s.resets).toEqual([]);
    }
  });

  it('has WT as a constant covariate and the documented sums', () => {
    expect(data.columns.covariates).toEqual(['WT']);
    expect(data.columns.timeVarying).toEqual([]);
    expect(data.subjects.map((s) => s.covariates.WT)).toEqual([
      79.6, 72.4, 70.5, 72.7, 54.6, 80, 64.6, 70.5, 86.4, 58.2, 65, 60.5,
    ]);
    const sumDv = data.subjects.reduce(
      (t, s) => t + s.observations.reduce((u, o) => u + o.dv, 0),
      0,
    );
    expect(sumDv).toBeCloseTo(654.78, 9);
    const sumAmt = data.subjects.reduce((t, s) => t + s.doses[0].amount, 0);
    expect(sumAmt).toBeCloseTo(3785.278, 9);
  });

  it('matches rows of the file', () => {
    const [first, , , , fifth] = data.subjects;
    expect(first.doses[0]).toMatchObject({ amount: 319.992, row: 2 });
    expect(first.observations[0]).toEqual({ time: 0, cmt: 2, dv: 0.74, row: 3 });
    expect(first.observations[10]).toEqual({ time: 24.37, cmt: 2, dv: 3.28, row: 13 });
    expect(fifth.doses[0]).toMatchObject({ amount: 319.956, row: 50 });
    expect(fifth.observations[1]).toEqual({ time: 0.3, cmt: 2, dv: 2.02, row: 52 });
    const last = data.subjects[11];
    expect(last.doses[0].amount).toBe(320.65);
    expect(last.observations.at(-1)).toEqual({ time: 24.15, cmt: 2, dv: 1.17, row: 145 });
  });
});

describe('readNonmemData: errors name the row and column', () => {
  it('missing ID column', () => {
    expectError(csv('SUBJ,TIME,DV', '1,0,1'), ['row 1, column ID', 'missing required column']);
  });

  it('missing TIME column', () => {
    expectError(csv('ID,DV', '1,1'), ['row 1, column TIME', 'missing required column TIME']);
  });

  it('neither DV nor AMT', () => {
    expectError(csv('ID,TIME,WT', '1,0,70'), ['row 1, column DV', 'DV or AMT']);
  });

  it('duplicate column names, case-insensitively', () => {
    expectError(csv('ID,TIME,DV,WT,wt', '1,0,1,70,70'), [
      'row 1, column 5 (wt)',
      'duplicate column name wt',
      'column 4 is WT',
    ]);
  });

  it('an empty column name', () => {
    expectError(csv('ID,TIME,,DV', '1,0,1,1'), ['row 1, column 3', 'no name']);
  });

  it('a dropped column that is not in the header', () => {
    expectError(csv('ID,TIME,DV', '1,0,1'), ['row 1, column SEX', 'not in the header'], {
      drop: ['SEX'],
    });
  });

  it('a row with too few or too many cells', () => {
    expectError(csv(H, '1,0,1,0,0,0'), ['row 2', 'the row has 6 cells but the header has 7']);
    expectError(csv(H, '1,0,1,0,0,0,2,9'), ['row 2, column 8', 'value "9" beyond']);
  });

  it('unparseable CSV (an unclosed quote)', () => {
    expectError(csv(H, '1,0,"1,0,0,0,2'), ['row 2', 'cannot parse the CSV text']);
  });

  it('a missing ID', () => {
    expectError(csv(H, '1,0,.,100,1,1,1', '.,1,5,0,0,0,2'), ['row 3, column ID', 'ID is missing']);
  });

  it('a missing TIME', () => {
    expectError(csv(H, '1,0,.,100,1,1,1', '1,,5,0,0,0,2'), [
      'row 3, column TIME',
      'TIME is missing',
    ]);
  });

  it('a non-numeric value, naming the text', () => {
    expectError(csv(H, '1,0,.,100,1,1,1', '1,1,BLQ,0,0,0,2'), [
      'row 3, column DV',
      '"BLQ" is not a number',
    ]);
    expectError(csv(H, '1,0,NaN,0,0,0,2'), ['row 2, column DV', '"NaN" is not a number']);
  });

  it('an infinite value', () => {
    expectError(
      csv(H, '1,0,.,100,1,1,1', '1,1,Inf,0,0,0,2'),
      ['row 3, column DV', '"Inf" is infinite'],
      undefined,
      'NonFinite',
    );
    expectError(
      csv(H, '1,1e999,1,0,0,0,2'),
      ['row 2, column TIME', '"1e999" overflows to Infinity'],
      undefined,
      'NonFinite',
    );
  });

  it('TIME decreasing within a subject without a reset', () => {
    expectError(csv(H, '1,0,.,100,1,1,1', '1,2,5,0,0,0,2', '1,1.5,4,0,0,0,2'), [
      'row 4, column TIME',
      'TIME 1.5 is before TIME 2 of row 3 in subject 1',
      'EVID 3 or 4',
    ]);
  });

  it('a negative AMT', () => {
    expectError(csv(H, '1,0,.,-100,1,1,1'), ['row 2, column AMT', 'negative AMT -100']);
  });

  it('dose items on an observation row', () => {
    expectError(csv(H, '1,0,.,100,1,1,1', '1,1,5,100,0,0,2'), [
      'row 3, column AMT',
      'AMT 100 on an observation row (EVID 0)',
      'belong on dose rows',
    ]);
    // Without EVID, a RATE with AMT 0 makes an observation row, so RATE is out of place.
    expectError(csv('ID,TIME,DV,AMT,RATE', '1,0,.,100,0', '1,1,5,0,10'), [
      'row 3, column RATE',
      'RATE 10 on an observation row (EVID 0 inferred: no EVID, AMT not > 0)',
    ]);
  });

  it('dose items on a reset row', () => {
    expectError(csv(DOSES, '1,0,.,100,0,1,1,1,.,.,.', '1,5,.,0,0,3,1,1,12,.,.'), [
      'row 3, column II',
      'II 12 on a reset row (EVID 3)',
    ]);
  });

  it('MDV 0 on a dose row', () => {
    expectError(csv(H, '1,0,.,100,1,0,1'), ['row 2, column MDV', 'MDV 0 on a dose row (EVID 1)']);
    expectError(csv('ID,TIME,DV,AMT,MDV', '1,0,.,100,0'), [
      'row 2, column MDV',
      'MDV 0 on a dose row (EVID 1 inferred: no EVID, AMT > 0)',
    ]);
  });

  it('an MDV other than 0 or 1', () => {
    expectError(csv(H, '1,0,1,0,0,2,2'), ['row 2, column MDV', 'MDV must be 0 or 1, got 2']);
  });

  it('a missing DV on an observation row with MDV 0', () => {
    expectError(csv(H, '1,0,.,100,1,1,1', '1,1,.,0,0,0,2'), [
      'row 3, column DV',
      'DV is missing on an observation row with MDV 0',
    ]);
  });

  it('II without ADDL', () => {
    expectError(csv(DOSES, '1,0,.,100,0,1,1,1,12,0,0'), ['row 2, column II', 'II 12 without ADDL']);
  });

  it('ADDL without II', () => {
    expectError(csv(DOSES, '1,0,.,100,0,1,1,1,.,3,0'), ['row 2, column ADDL', 'ADDL 3 without II']);
  });

  it('a non-integer or negative ADDL', () => {
    expectError(csv(DOSES, '1,0,.,100,0,1,1,1,12,1.5,0'), [
      'row 2, column ADDL',
      'ADDL must be an integer ≥ 0, got 1.5',
    ]);
  });

  it('a negative II or DUR', () => {
    expectError(csv(DOSES, '1,0,.,100,0,1,1,1,-12,1,0'), ['row 2, column II', 'negative II -12']);
    expectError(csv('ID,TIME,AMT,DUR', '1,0,100,-1'), ['row 2, column DUR', 'negative DUR -1']);
  });

  it('RATE and DUR both on one dose', () => {
    expectError(csv('ID,TIME,AMT,RATE,DUR', '1,0,100,10,2'), [
      'row 2, column DUR',
      'DUR 2 and RATE 10 are both given',
    ]);
  });

  it('an unknown EVID', () => {
    expectError(csv(H, '1,0,.,100,5,1,1'), ['row 2, column EVID', 'unknown EVID 5']);
    expectError(csv(H, '1,0,.,100,1.5,1,1'), ['row 2, column EVID', 'unknown EVID 1.5']);
  });

  it('an unknown SS', () => {
    expectError(csv(DOSES, '1,0,.,100,0,1,1,1,12,0,3'), ['row 2, column SS', 'unknown SS 3']);
  });

  it('a CMT that is not an integer ≥ 0', () => {
    expectError(csv(H, '1,0,.,100,1,1,-2'), [
      'row 2, column CMT',
      'CMT must be an integer ≥ 0',
      'negative CMT',
    ]);
  });

  it('a CMT not in the model', () => {
    expectError(
      csv(H, '1,0,.,100,1,1,1', '1,1,5,0,0,0,3'),
      ['row 3, column CMT', 'CMT 3 on an observation row (EVID 0) is not a compartment', '1, 2'],
      { compartments: 2 },
    );
    expectError(
      csv(H, '1,0,.,100,1,1,2'),
      ['row 2, column CMT', 'CMT 2 on a dose row (EVID 1)', 'valid: 1, 3'],
      { compartments: [1, 3] },
    );
  });

  it('a negative RATE other than −1 and −2', () => {
    expectError(csv(DOSES, '1,0,.,100,-3,1,1,1,.,.,.'), [
      'row 2, column RATE',
      'RATE -3 is negative',
    ]);
  });

  it('SS with II 0 on a bolus', () => {
    expectError(csv(DOSES, '1,0,.,100,0,1,1,1,0,0,1'), [
      'row 2, column SS',
      'SS 1 with II 0 needs RATE > 0',
    ]);
  });

  it('a steady-state constant infusion with an AMT', () => {
    expectError(csv(DOSES, '1,0,.,100,10,1,1,1,0,0,1'), [
      'row 2, column AMT',
      'needs AMT 0, got 100',
    ]);
  });

  it('an ID that re-appears after other IDs', () => {
    expectError(csv(H, '1,0,.,100,1,1,1', '2,0,.,100,1,1,1', '1,5,3,0,0,0,2'), [
      'row 4, column ID',
      'ID 1 appears again after other IDs (its rows start at row 2)',
      'sort the data by ID',
    ]);
  });

  it('bad options', () => {
    const text = csv(H, '1,0,.,100,1,1,1');
    expect(() => readNonmemData(text, { compartments: 0 })).toThrow(/compartments: must be/);
    expect(() => readNonmemData(text, { compartments: [] })).toThrow(/compartments: must be/);
    expect(() => readNonmemData(text, { compartments: 2, defaultDoseCmt: 3 })).toThrow(
      /defaultDoseCmt: 3 is not one of the compartments 1, 2/,
    );
    expect(() => readNonmemData(text, { defaultObservationCmt: -1 })).toThrow(
      /defaultObservationCmt: must be an integer ≥ 0/,
    );
  });

  it('names the source in every message', () => {
    expect(readError(csv(H, '1,x,1,0,0,0,2'), { source: 'study.csv' }).message).toMatch(
      /^study\.csv, row 2, column TIME: "x" is not a number$/,
    );
  });
});

describe('readNonmemData: warnings are returned, with row and column', () => {
  it('a subject without observations', () => {
    expectWarning(
      csv(H, '1,0,.,100,1,1,1', '1,1,5,0,0,0,2', '2,0,.,100,1,1,1'),
      'NoObservations',
      4,
      undefined,
      'subject 2 has no observations',
    );
  });

  it('an observation row with MDV 1, given', () => {
    expectWarning(
      csv(H, '1,0,.,100,1,1,1', '1,1,0.1,0,0,1,2', '1,2,5,0,0,0,2'),
      'UnusedObservation',
      3,
      'MDV',
      'MDV 1 on an observation row (EVID 0): the row is not used',
    );
  });

  it('an observation row with MDV 1, inferred from a missing DV', () => {
    expectWarning(
      csv('ID,TIME,DV,AMT,EVID', '1,0,.,100,1', '1,1,.,0,0', '1,2,5,0,0'),
      'UnusedObservation',
      3,
      'DV',
      'DV is missing on an observation row (EVID 0), so MDV is 1',
    );
  });

  it('a dose with AMT 0', () => {
    expectWarning(
      csv(H, '1,0,.,0,1,1,1', '1,1,5,0,0,0,2'),
      'ZeroAmount',
      2,
      'AMT',
      'a dose with AMT 0',
    );
  });

  it('a DV on a dose row, ignored (DV 0 is the usual filler and passes quietly)', () => {
    const text = csv(H, '1,0,12,100,1,1,1', '1,1,5,0,0,0,2', '1,2,0,100,1,1,1');
    expectWarning(text, 'IgnoredDV', 2, 'DV', 'DV 12 on a dose row (EVID 1) is ignored');
    expect(readNonmemData(text).subjects[0].observations).toHaveLength(1);
  });

  it('a covariate missing on some rows, filled backward and forward', () => {
    const text = csv(
      H + ',WT,CRCL',
      '1,0,.,100,1,1,1,.,80',
      '1,1,5,0,0,0,2,70,.',
      '1,2,4,0,0,0,2,.,60',
      '1,3,3,0,0,0,2,72,.',
    );
    const data = readNonmemData(text);
    expect(data.subjects[0].timeVarying).toEqual({
      WT: { times: Float64Array.of(0, 3), values: Float64Array.of(70, 72) },
      CRCL: { times: Float64Array.of(0, 2), values: Float64Array.of(80, 60) },
    });
    expect(data.warnings.map((w) => [w.code, w.row, w.column])).toEqual([
      ['CovariateFilled', 2, 'WT'],
      ['CovariateFilled', 3, 'CRCL'],
    ]);
    expect(data.warnings[0].message).toContain(
      'row 2, column WT: WT is missing on 2 of 4 rows of subject 1',
    );
  });

  it('a covariate missing on every row of a subject', () => {
    const text = csv(H + ',WT', '1,0,.,100,1,1,1,70', '1,1,5,0,0,0,2,70', '2,0,3,0,0,0,2,.');
    expectWarning(text, 'CovariateMissing', 4, 'WT', 'WT is missing on every row of subject 2');
    expect(readNonmemData(text).subjects[1].covariates).toEqual({});
  });

  it('are sorted by row and carry the subject ID', () => {
    const data = readNonmemData(csv(H, '1,0,.,0,1,1,1', '2,0,9,100,1,1,1'));
    expect(data.warnings.map((w) => [w.code, w.row, w.id])).toEqual([
      ['ZeroAmount', 2, '1'],
      ['NoObservations', 2, '1'],
      ['IgnoredDV', 3, '2'],
      ['NoObservations', 3, '2'],
    ]);
  });
});

// Random valid data sets: written to CSV (in varied layouts) and read back to the same records.
const time = fc.double({ min: 0, max: 1000, noNaN: true }).map((t) => t + 0); // no −0
const positive = fc.double({ min: 1e-6, max: 1e6, noNaN: true });
const dose: fc.Arbitrary<(t: number) => GeneratedEvent> = fc
  .record({
    cmt: fc.integer({ min: 1, max: 3 }),
    amount: positive,
    reset: fc.boolean(),
    form: fc.oneof(
      fc.constant({ rate: 0, duration: 0 }),
      positive.map((rate) => ({ rate, duration: 0 })),
      fc.constantFrom(-1, -2).map((rate) => ({ rate, duration: 0 })),
      positive.map((duration) => ({ rate: 0, duration })),
    ),
    regimen: fc.oneof(
      fc.constant({ ii: 0, addl: 0, ss: 0 as const }),
      fc.record({
        ii: positive,
        addl: fc.integer({ min: 1, max: 20 }),
        ss: fc.constant(0 as const),
      }),
      fc.record({
        ii: positive,
        addl: fc.integer({ min: 0, max: 5 }),
        ss: fc.constantFrom(1 as const, 2 as const),
      }),
    ),
    constantInfusion: fc.option(fc.record({ rate: positive, ss: fc.constantFrom(1, 2) })),
  })
  .map(({ cmt, amount, reset, form, regimen, constantInfusion }) => (t: number) => {
    const base = { kind: 'dose' as const, time: t, cmt, reset };
    return constantInfusion === null
      ? { ...base, amount, ...form, ...regimen }
      : {
          ...base,
          amount: 0,
          rate: constantInfusion.rate,
          duration: 0,
          ii: 0,
          addl: 0,
          ss: constantInfusion.ss as 1 | 2,
        };
  });
const event: fc.Arbitrary<(t: number) => GeneratedEvent> = fc.oneof(
  { weight: 2, arbitrary: dose },
  {
    weight: 3,
    arbitrary: fc
      .record({
        cmt: fc.integer({ min: 0, max: 3 }),
        dv: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
      })
      .map(({ cmt, dv }) => (t: number) => ({
        kind: 'observation' as const,
        time: t,
        cmt,
        dv: dv + 0,
      })),
  },
  { weight: 1, arbitrary: fc.constant((t: number) => ({ kind: 'reset' as const, time: t })) },
  { weight: 1, arbitrary: fc.constant((t: number) => ({ kind: 'other' as const, time: t })) },
);
const dataSet = fc
  .record({
    nConstant: fc.integer({ min: 0, max: 2 }),
    nVarying: fc.integer({ min: 0, max: 2 }),
    ids: fc.uniqueArray(fc.integer({ min: 1, max: 99999 }), { minLength: 1, maxLength: 4 }),
  })
  .chain(({ nConstant, nVarying, ids }) =>
    fc.record({
      nConstant: fc.constant(nConstant),
      nVarying: fc.constant(nVarying),
      subjects: fc.tuple(
        ...ids.map((id) =>
          fc.array(fc.tuple(event, time), { minLength: 1, maxLength: 8 }).chain((pairs) => {
            const times = pairs.map(([, t]) => t).sort((a, b) => a - b);
            const events = pairs.map(([make], k) => make(times[k]));
            return fc.record({
              id: fc.constant(String(id)),
              events: fc.constant(events),
              constant: fc.array(positive, { minLength: nConstant, maxLength: nConstant }),
              varying: fc.array(
                fc.array(fc.constantFrom(1, 2.5, 70), {
                  minLength: events.length,
                  maxLength: events.length,
                }),
                { minLength: nVarying, maxLength: nVarying },
              ),
            });
          }),
        ),
      ),
    }),
  );
const style: fc.Arbitrary<CsvStyle> = fc.record({
  eol: fc.constantFrom('\n' as const, '\r\n' as const),
  missing: fc.constantFrom('.' as const, '' as const),
  quote: fc.boolean(),
  pad: fc.boolean(),
  lowerCase: fc.boolean(),
  comments: fc.boolean(),
});

describe('readNonmemData: round trip', () => {
  it('reads random valid data sets written as CSV back to the same records', () => {
    fc.assert(
      fc.property(dataSet, style, ({ nConstant, nVarying, subjects }, layout) => {
        const list = subjects as readonly GeneratedSubject[];
        const text = writeNonmemCsv(list, nConstant, nVarying, layout);
        const data = readNonmemData(text);
        expect(data.subjects).toEqual(expectedRecords(list, layout));
        const silent = list.filter((s) => !s.events.some((e) => e.kind === 'observation'));
        // The comment line after the header (row 2) is reported as skipped.
        expect(data.warnings.map((w) => [w.code, w.id ?? w.row])).toEqual([
          ...(layout.comments ? [['CommentRow', 2]] : []),
          ...silent.map((s) => ['NoObservations', s.id]),
        ]);
      }),
    );
  });
});
