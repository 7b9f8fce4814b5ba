// Column names come from files: names that are also keys of Object.prototype (`__proto__`,
// `constructor`, `toString`, `hasOwnProperty`, `valueOf`) are covariates like any other.
import { describe, expect, it } from 'vitest';
import { readNonmemData } from '../../../src/pharmacometrics/nonmem-data.ts';

const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

describe('readNonmemData: covariate columns named like Object.prototype keys', () => {
  it('keeps constant covariates named __proto__, constructor, toString, … with their values', () => {
    const text = [
      `ID,TIME,DV,${NAMES.join(',')}`,
      '1,0,1,5,6,7,8,9',
      '1,1,2,5,6,7,8,9',
      '2,0,3,15,16,17,18,19',
    ].join('\n');
    const data = readNonmemData(text);
    expect(data.columns.covariates).toEqual(NAMES);
    const [a, b] = data.subjects;
    expect(Object.keys(a.covariates)).toEqual(NAMES);
    expect(NAMES.map((n) => a.covariates[n])).toEqual([5, 6, 7, 8, 9]);
    expect(NAMES.map((n) => b.covariates[n])).toEqual([15, 16, 17, 18, 19]);
    // Nothing is inherited: a name that is not a column is absent, not a function.
    expect(Object.getPrototypeOf(a.covariates)).toBeNull();
    expect(a.covariates.isPrototypeOf).toBeUndefined();
    expect(Object.keys(a.timeVarying)).toEqual([]);
  });

  it('keeps time-varying covariates named __proto__ and constructor as LOCF series', () => {
    const data = readNonmemData(
      ['ID,TIME,DV,__proto__,constructor', '1,0,1,5,60', '1,1,2,6,60', '1,2,3,6,61'].join('\n'),
    );
    expect(data.columns.timeVarying).toEqual(['__proto__', 'constructor']);
    const [s] = data.subjects;
    expect(Object.keys(s.timeVarying)).toEqual(['__proto__', 'constructor']);
    expect(Array.from(s.timeVarying['__proto__'].times)).toEqual([0, 1]);
    expect(Array.from(s.timeVarying['__proto__'].values)).toEqual([5, 6]);
    const ctor: string = 'constructor'; // (typed as string: TS gives `.constructor` Function's type)
    expect(Array.from(s.timeVarying[ctor].times)).toEqual([0, 2]);
    expect(Array.from(s.timeVarying[ctor].values)).toEqual([60, 61]);
    expect(Object.getPrototypeOf(s.timeVarying)).toBeNull();
  });

  it('fills a missing __proto__ cell from its neighbours like any covariate', () => {
    const data = readNonmemData(['ID,TIME,DV,__proto__', '1,0,1,.', '1,1,2,70'].join('\n'));
    expect(data.subjects[0].covariates['__proto__']).toBe(70);
    expect(data.warnings.map((w) => [w.code, w.column])).toEqual([
      ['CovariateFilled', '__proto__'],
    ]);
  });
});
