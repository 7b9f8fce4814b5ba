// Nothing in a data file is skipped or lost without a word: `#` rows are comments as NONMEM's
// IGNORE=# makes them, but each skipped row is reported; a dose whose ADDL or infusion length
// overflows to ∞ is an error naming its row and column (it used to vanish from the schedule).
import { describe, expect, it } from 'vitest';
import { ScichainError } from '../../../src/core/errors.ts';
import { readNonmemData } from '../../../src/pharmacometrics/nonmem-data.ts';

const csv = (...lines: string[]) => lines.join('\n');

function readError(text: string): ScichainError {
  try {
    readNonmemData(text, { source: 'pk.csv' });
  } catch (e) {
    if (e instanceof ScichainError) return e;
    throw e;
  }
  throw new Error('reading succeeded, an error was expected');
}

describe('readNonmemData: rows skipped as comments are reported', () => {
  it('an ID #12 in the first column is skipped as NONMEM skips it, with a warning naming the row', () => {
    const data = readNonmemData(
      csv(
        'ID,TIME,DV,AMT',
        '1,0,.,100',
        '1,1,5,.',
        '#12,0,.,100',
        '#12,1,7,.',
        '2,0,.,100',
        '2,1,3,.',
      ),
      { source: 'pk.csv' },
    );
    expect(data.subjects.map((s) => s.id)).toEqual(['1', '2']);
    const comments = data.warnings.filter((w) => w.code === 'CommentRow');
    expect(comments.map((w) => w.row)).toEqual([4, 5]);
    expect(comments[0].message).toBe(
      'pk.csv, row 4: the row starts with "#" and is skipped as a comment (NONMEM\'s IGNORE=#): ' +
        '#12,0,.,100',
    );
  });

  it('comment lines before a #-header are file notes and pass quietly; after it, they are reported', () => {
    const data = readNonmemData(
      csv(
        '# study 7',
        '#ID,TIME,DV',
        '# a very long note about the subject below, which is excluded for cause',
        '1,1,5',
      ),
    );
    expect(data.warnings.map((w) => [w.code, w.row])).toEqual([['CommentRow', 3]]);
    expect(data.warnings[0].message).toMatch(/: # a very long note about .{20,}\.\.\.$/);
  });

  it('an ID starting with # in another column is a label like any other', () => {
    const data = readNonmemData(csv('TIME,ID,DV', '0,#12,5', '1,#12,6'));
    expect(data.subjects.map((s) => [s.id, s.observations.length])).toEqual([['#12', 2]]);
    expect(data.warnings).toEqual([]);
  });
});

describe('readNonmemData: dose times and lengths must stay finite', () => {
  it('ADDL doses reaching ∞ are an error naming the row and the ADDL column', () => {
    const e = readError(csv('ID,TIME,DV,AMT,II,ADDL', '1,0,.,100,1e300,1e10', '1,1,5,.,.,.'));
    expect(e.code).toBe('NonFinite');
    expect(e.message).toBe(
      'pk.csv, row 2, column ADDL: the last of ADDL 10000000000 additional doses every II ' +
        '1e+300 after TIME 0 falls at Infinity; dose times must be finite',
    );
    const late = readError(
      csv('ID,TIME,DV,AMT,II,ADDL', '1,1e308,.,100,1e308,1', '1,1e308,5,.,.,.'),
    );
    expect(late.message).toContain('pk.csv, row 2, column ADDL: the last of ADDL 1 additional');
  });

  it('an infusion whose length AMT/RATE or rate AMT/DUR overflows is an error naming the column', () => {
    const rate = readError(csv('ID,TIME,DV,AMT,RATE', '1,0,.,1e300,1e-300', '1,1,5,.,.'));
    expect(rate.message).toBe(
      'pk.csv, row 2, column RATE: AMT 1e+300 at RATE 1e-300 lasts Infinity; an infusion must end',
    );
    const dur = readError(csv('ID,TIME,DV,AMT,DUR', '1,0,.,1e300,1e-300', '1,1,5,.,.'));
    expect(dur.message).toBe(
      'pk.csv, row 2, column DUR: AMT 1e+300 over DUR 1e-300 is a rate of Infinity; rates must be finite',
    );
  });
});

describe('readNonmemData: numeric IDs merge only when their values are equal', () => {
  it('keeps 20-digit IDs and IDs overflowing to ∞ apart (they used to merge into one subject)', () => {
    const data = readNonmemData(
      csv(
        'ID,TIME,DV',
        '12345678901234567890,0,1',
        '12345678901234567891,0,2',
        '1e400,0,3',
        '2e400,0,4',
        '007,0,5',
        '7.0,1,6',
      ),
    );
    expect(data.subjects.map((s) => [s.id, s.observations.length])).toEqual([
      ['12345678901234567890', 1],
      ['12345678901234567891', 1],
      ['1e400', 1],
      ['2e400', 1],
      ['007', 2],
    ]);
  });
});
