/**
 * From data records to population subjects with closed-form predictions: each subject's dose
 * records (ADDL/II, infusions, resets, steady state) become a dose schedule, and the
 * individual parameters φ set a closed-form linear PK model whose central concentrations at the
 * observation times are the predictions. Dose modifiers (lag, bioavailability, modelled rate or
 * duration) may depend on φ — then the schedule is rebuilt for each prediction.
 */
import { sameTime } from '../../../solvers/options.ts';
import { ScichainError } from '../../core/errors.ts';
import type { ClosedFormPkModel } from '../closed-form/closed-form-pk-model.ts';
import { doseSchedule } from '../dosing/build-dose-schedule.ts';
import type { DoseSchedule } from '../dosing/dose-schedule.ts';
import type { DoseModifiers } from '../dosing/dose-modifiers.ts';
import { requireContinuousTime } from '../data/continuous-time.ts';
import { doseTimeline } from '../dosing/dose-timeline.ts';
import type { SubjectRecords } from '../records.ts';
import type { PopulationSubject } from './population-model.ts';

/** What {@link closedFormSubjects} takes. */
export interface ClosedFormSubjectsSpec<M extends ClosedFormPkModel> {
  /** A new model instance (one per subject). */
  readonly create: () => M;
  /** Sets the model's parameters from φ (in the population model's individual order). */
  readonly setParameters: (model: M, phi: Float64Array) => void;
  /** Dose modifiers, fixed or from φ (lag, bioavailability, rate, duration by CMT). */
  readonly modifiers?: DoseModifiers | ((phi: Float64Array) => DoseModifiers);
  /** The CMT whose concentrations are observed (default: the model's central compartment). */
  readonly observedCmt?: number;
}

/** Population subjects predicting central concentrations by a closed form. */
export function closedFormSubjects<M extends ClosedFormPkModel>(
  records: readonly SubjectRecords[],
  spec: ClosedFormSubjectsSpec<M>,
): PopulationSubject[] {
  return records.map((subject) => {
    requireContinuousTime(subject, 'closed-form predictions');
    const model = spec.create();
    // Observations in another compartment (a depot amount) must not be fitted by concentrations.
    const observed = spec.observedCmt ?? model.centralIndex + 1;
    for (const o of subject.observations) {
      if (o.cmt !== 0 && o.cmt !== observed) {
        throw new ScichainError(
          'InvalidArgument',
          `subject ${subject.id}, row ${o.row}: observation in CMT ${o.cmt}, but the model predicts CMT ${observed} only`,
        );
      }
    }
    const times = Float64Array.from(subject.observations, (o) => o.time);
    const observations = Float64Array.from(subject.observations, (o) => o.dv);
    const modifiers = spec.modifiers;
    // Doses after the last observation change no prediction: a long ADDL regimen is expanded
    // only up to it.
    const until = { until: times.reduce((a, t) => Math.max(a, t), -Infinity) };
    const fixedSchedule =
      typeof modifiers === 'function'
        ? null
        : doseSchedule(subject.doses, subject.resets, modifiers ?? {}, until);
    const fixedTimeline =
      fixedSchedule === null ? null : doseTimeline(fixedSchedule, model.compartments);
    // An observation a rounding error before a dose (an ADDL dose at 3·0.8 = 2.4000000000000004
    // beside a record at 2.4) is at the dose's time, as the ODE solvers merge such times: the
    // prediction includes the dose whichever path makes it.
    const evaluateAt = fixedSchedule === null ? times : atEventTimes(times, fixedSchedule);
    return {
      id: subject.id,
      times,
      observations,
      covariates: subject.covariates,
      predict(phi: Float64Array, f: Float64Array) {
        spec.setParameters(model, phi);
        const timeline =
          fixedTimeline ??
          doseTimeline(
            doseSchedule(
              subject.doses,
              subject.resets,
              (modifiers as (phi: Float64Array) => DoseModifiers)(phi),
              until,
            ),
            model.compartments,
          );
        model.concentrationsAt(timeline, evaluateAt, f);
      },
    };
  });
}

/** `times` with each one moved to a dose or infusion-switch time a rounding error after it. */
function atEventTimes(times: Float64Array, schedule: DoseSchedule): Float64Array {
  const events = [
    ...schedule.boluses.map((b) => b.time),
    ...schedule.infusions.flatMap((i) => [i.start, i.end]),
    ...schedule.resets,
  ].sort((a, b) => a - b);
  return times.map((t) => {
    // The first event at or after t (binary search).
    let lo = 0;
    let hi = events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (events[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo < events.length && events[lo] !== t && sameTime(events[lo], t) ? events[lo] : t;
  });
}
