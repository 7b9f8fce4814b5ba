/**
 * Study designs written in code instead of a data file: the same {@link SubjectRecords} the
 * NONMEM reader produces, so every predictor (closed-form, ODE) and the simulation take them.
 *
 *   const design = designRecords({ subjects: 40, doses: [{ time: 0, amount: 100 }],
 *     times: [0.5, 1, 2, 4, 8, 12, 24], covariates: (i) => ({ WT: weights[i] }) });
 *   const simulated = simulatePopulation(model, x, odeSubjects(design, spec), rng);
 *   const data = withObservations(design, simulated);
 */
import { ScichainError } from '../../core/errors.ts';
import type { DoseRecord, SubjectRecords } from '../records.ts';
import type { SimulatedSubject } from './simulate-population.ts';

/** A dose of a design (bolus unless `rate` or `duration` say otherwise). */
export interface DesignDose {
  readonly time: number;
  readonly amount: number;
  /** 1-based compartment (default 1). */
  readonly cmt?: number;
  readonly rate?: number;
  readonly duration?: number;
  readonly ii?: number;
  readonly addl?: number;
}

/**
 * A dose record with NONMEM's defaults — AMT 100 into CMT 1 at t = 0, a bolus (RATE 0, no DUR),
 * no II, ADDL or SS, no reset, row 0 (not from a file) — overridden by `fields`.
 */
export function doseRecord(fields: Partial<DoseRecord> = {}): DoseRecord {
  return {
    time: 0,
    cmt: 1,
    amount: 100,
    rate: 0,
    duration: 0,
    ii: 0,
    addl: 0,
    ss: 0,
    reset: false,
    row: 0,
    ...fields,
  };
}

/** What {@link designRecords} takes. */
export interface DesignSpec {
  /** Number of subjects (IDs 1…N). */
  readonly subjects: number;
  /** Every subject's doses. */
  readonly doses: readonly DesignDose[];
  /** Observation times (ascending), the same for every subject. */
  readonly times: readonly number[];
  /** Observed compartment (default 0: the model's observation). */
  readonly cmt?: number;
  /** Constant covariates of subject i (0-based). */
  readonly covariates?: (subject: number) => Readonly<Record<string, number>>;
}

/** Subject records of a design; observations carry DV = NaN until {@link withObservations}. */
export function designRecords(spec: DesignSpec): SubjectRecords[] {
  if (!Number.isInteger(spec.subjects) || spec.subjects < 1)
    throw new ScichainError('InvalidArgument', `a design needs ≥ 1 subjects, got ${spec.subjects}`);
  spec.times.forEach((t, j) => {
    if (!Number.isFinite(t) || (j > 0 && t < spec.times[j - 1]))
      throw new ScichainError(
        'InvalidArgument',
        `design time ${j + 1} (${t}) is not finite and ascending`,
      );
  });
  const doses: DoseRecord[] = spec.doses.map((d, k) => {
    if (!Number.isFinite(d.time) || !(d.amount >= 0))
      throw new ScichainError(
        'InvalidArgument',
        `design dose ${k + 1}: time ${d.time}, amount ${d.amount}`,
      );
    return doseRecord({
      time: d.time,
      cmt: d.cmt ?? 1,
      amount: d.amount,
      rate: d.rate ?? 0,
      duration: d.duration ?? 0,
      ii: d.ii ?? 0,
      addl: d.addl ?? 0,
    });
  });
  return Array.from({ length: spec.subjects }, (_, i) => ({
    id: String(i + 1),
    doses,
    observations: spec.times.map((time) => ({ time, cmt: spec.cmt ?? 0, dv: NaN, row: 0 })),
    resets: [],
    covariates: spec.covariates?.(i) ?? {},
    timeVarying: {},
  }));
}

/** The design's records with the simulated observations as DV (same subjects, same order). */
export function withObservations(
  records: readonly SubjectRecords[],
  simulated: readonly SimulatedSubject[],
): SubjectRecords[] {
  if (records.length !== simulated.length)
    throw new ScichainError(
      'ShapeMismatch',
      `${simulated.length} simulated subjects for ${records.length} in the design`,
    );
  return records.map((r, i) => {
    const values = simulated[i].observations;
    if (values.length !== r.observations.length)
      throw new ScichainError(
        'ShapeMismatch',
        `subject ${r.id}: ${values.length} simulated values for ${r.observations.length} observations`,
      );
    return { ...r, observations: r.observations.map((o, j) => ({ ...o, dv: values[j] })) };
  });
}
