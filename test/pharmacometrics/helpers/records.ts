// Builders shared by the pharmacometrics tests: dose records with NONMEM's defaults, the
// regimens the case tables list, and observation-time grids.
import { doseSchedule } from '../../../src/pharmacometrics/dosing/build-dose-schedule.ts';
import type { DoseModifiers } from '../../../src/pharmacometrics/dosing/dose-modifiers.ts';
import type { DoseSchedule } from '../../../src/pharmacometrics/dosing/dose-schedule.ts';
import type { DoseRecord } from '../../../src/pharmacometrics/records.ts';
import { doseRecord } from '../../../src/pharmacometrics/simulation/design.ts';

/** A dose record with NONMEM's defaults (see `doseRecord`), from data row 2 unless `fields` say. */
export function dose(fields: Partial<DoseRecord> = {}): DoseRecord {
  return doseRecord({ row: 2, ...fields });
}

/** A regimen as the case tables write it: dose records, EVID 3 reset times and dose modifiers. */
export interface Regimen {
  readonly doses: DoseRecord[];
  readonly resets?: number[];
  readonly modifiers?: DoseModifiers;
}

/** The dose schedule of a regimen (no resets and no modifiers where it gives none). */
export function regimenSchedule(regimen: Regimen): DoseSchedule {
  return doseSchedule(regimen.doses, regimen.resets ?? [], regimen.modifiers ?? {});
}

/** Observation times from `from` to `to` every `step`, each computed directly (no accumulation). */
export const grid = (from: number, to: number, step: number): number[] =>
  Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => from + i * step);
