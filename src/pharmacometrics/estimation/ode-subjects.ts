/**
 * From data records to population subjects predicting through an ODE model: the individual
 * parameters φ set named parameters of the model (through their transforms), the subject's
 * doses are events, and an observation function of the state gives the predictions.
 * `predictWithJacobian` adds ∂f/∂φ from one forward-sensitivity solve (`stateSensitivities`),
 * so the η-conditional steps of a population fit use exact derivatives.
 *
 * Doses: boluses, zero-order infusions (the model reads each infused compartment's rate as a
 * `rate_<state>` input parameter, switched by events in the solve's working copy of p) and
 * resets (EVID 3/4) — all crossed exactly by the forward sensitivities. Steady-state doses are
 * computed by iterating dosing intervals (`steadyStateByIteration`, to tight tolerances); their
 * state depends on φ through that whole periodic solve, whose sensitivity is not propagated, so
 * subjects with steady-state doses have no `predictWithJacobian` and population fits take their
 * ∂f/∂η by central differences of the predictions.
 *
 * Observation compartments: each observation is predicted by the output of `observe` that its
 * CMT maps to (`outputs`); without a map every observation takes the first output, which is
 * refused when the observations name more than one compartment. A solve that fails throws
 * `SolverFailed` naming the subject, the time reached and the reason — never NaN predictions.
 */
import { ScichainError } from '../../core/errors.ts';
import type { OdeModel } from '../../model/ode-model.ts';
import type { Observation } from '../../model/observation.ts';
import type { ParameterLayout } from '../../parameters/layout.ts';
import { odeProblem } from '../../core/ode-problem.ts';
import { checkMethodName, solve, type MethodName } from '../../../solvers/solve.ts';
import type { DifferentiableEvent } from '../../../solvers/sensitivity/events.ts';
import { stateSensitivities } from '../../../solvers/sensitivity/forward-sensitivity.ts';
import { requireContinuousTime } from '../data/continuous-time.ts';
import { doseSchedule } from '../dosing/build-dose-schedule.ts';
import type { DoseModifiers } from '../dosing/dose-modifiers.ts';
import { infusionRateParameters, type RateParameters } from '../dosing/infusion-inputs.ts';
import { scheduleEvents } from '../dosing/schedule-events.ts';
import {
  steadyStateByIteration,
  type NumericSteadyStateOptions,
} from '../dosing/numeric-steady-state.ts';
import type { ObservationRecord, SubjectRecords } from '../records.ts';
import type { PopulationSubject } from './population-model.ts';

/** What {@link odeSubjects} takes. */
export interface OdeSubjectsSpec {
  /** The model (with a parameter layout: expression models have one). */
  readonly model: OdeModel & { readonly layout: ParameterLayout };
  /**
   * The model parameter block each individual parameter sets, in φ's order (natural values); a
   * vector block (a network's weights) takes as many entries of φ as it has. A block frozen in
   * the model's layout cannot be one of them.
   */
  readonly parameters: readonly string[];
  /**
   * The observed quantities, e.g. `model.observation({ conc: 'central/v' })`. Without `outputs`
   * its first output predicts every observation.
   */
  readonly observe: Observation;
  /**
   * The output of `observe` (name or index) that predicts observations in each compartment
   * (CMT), e.g. `{ 1: 'depot', 2: 'conc' }` with
   * `observe: model.observation({ depot: 'depot', conc: 'central/v' })`. Observations without a
   * CMT (0) take entry 0 of the map, or the first output. Required when the observations name
   * more than one CMT; an observation in a CMT the map does not name is an error.
   */
  readonly outputs?: Readonly<Record<number, string | number>>;
  /** Fixed dose modifiers (lag, bioavailability by CMT). */
  readonly modifiers?: DoseModifiers;
  /**
   * Where infusion rates go: CMT → index in p (default: the model's `rate_<state>` parameters,
   * `infusionRateParameters(model)`). Their initial values must be 0.
   */
  readonly rateParameters?: RateParameters;
  /** The state a reset (EVID 3/4) returns to (default: zeros). */
  readonly initialState?: ArrayLike<number>;
  /**
   * Steady-state iteration settings (defaults: convergence rtol 1e-12, atol 1e-14 and solver
   * tolerances 1e-13 — tight, because ∂f/∂η is then taken by differences of the predictions).
   */
  readonly steadyState?: NumericSteadyStateOptions;
  /** Solver and tolerances (default Vern7, 1e-10). */
  readonly method?: MethodName;
  readonly rtol?: number;
  readonly atol?: number;
}

/** Population subjects predicting by solving the model (boluses, infusions, resets). */
export function odeSubjects(
  records: readonly SubjectRecords[],
  spec: OdeSubjectsSpec,
): PopulationSubject[] {
  const { model, observe } = spec;
  const n = model.stateCount;
  const blocks = spec.parameters.map((name) => model.layout.block(name));
  // A block the layout declares frozen is not estimated, here either (φ would set it per subject).
  const frozen = blocks.filter((b) => model.layout.isFrozen(b.name)).map((b) => `'${b.name}'`);
  if (frozen.length > 0) {
    throw new ScichainError(
      'InvalidArgument',
      `parameter${frozen.length > 1 ? 's' : ''} ${frozen.join(', ')} ${frozen.length > 1 ? 'are' : 'is'} frozen in the model's layout, so not estimated: leave ${frozen.length > 1 ? 'them' : 'it'} out of parameters (${frozen.length > 1 ? 'they keep their' : 'it keeps its'} initial value) or unfreeze ${frozen.length > 1 ? 'them' : 'it'} (model.layout.unfreeze(…))`,
    );
  }
  // φ entry a sets p[pIndex[a]].
  const pIndex = Int32Array.from(
    blocks.flatMap((b) => Array.from({ length: b.size }, (_, k) => b.offset + k)),
  );
  const allColumns = Int32Array.from(pIndex.keys());
  const method = spec.method ?? 'Vern7';
  checkMethodName(method); // before any subject is built
  const rtol = spec.rtol ?? 1e-10;
  const atol = spec.atol ?? 1e-10;
  const outputOf = observationOutputs(records, observe, spec.outputs);
  return records.map((subject) => {
    requireContinuousTime(subject, 'ODE predictions');
    // Doses after the last observation change no prediction: expand ADDL only up to it.
    const until = subject.observations.reduce((a, o) => Math.max(a, o.time), -Infinity);
    const schedule = doseSchedule(subject.doses, subject.resets, spec.modifiers ?? {}, { until });
    const steady = schedule.steadyStates.length > 0;
    for (const d of [...schedule.boluses, ...schedule.infusions]) {
      if (d.cmt < 1 || d.cmt > n) {
        throw new ScichainError(
          'InvalidArgument',
          `subject ${subject.id}, row ${d.row}: dose into CMT ${d.cmt}, but the model has ${n} states`,
        );
      }
    }
    const rateParameters =
      spec.rateParameters ??
      (schedule.infusions.length > 0 ? infusionRateParameters(model) : undefined);
    let events: DifferentiableEvent[];
    try {
      // Every event of a schedule without steady states has a pullback (steady-state subjects
      // only solve without sensitivities).
      events = scheduleEvents(schedule, {
        stateCount: n,
        ...(rateParameters === undefined ? {} : { rateParameters }),
        ...(spec.initialState === undefined ? {} : { initialState: spec.initialState }),
        ...(steady
          ? {
              steadyState: steadyStateByIteration(
                {
                  f: model.f,
                  stateCount: n,
                  jacobian: model.jacobian,
                  autonomous: model.autonomous,
                  ...(rateParameters === undefined ? {} : { rateParameters }),
                },
                {
                  method,
                  rtol: 1e-13,
                  atol: 1e-13,
                  tolerance: { rtol: 1e-12, atol: 1e-14 },
                  ...spec.steadyState,
                },
              ),
            }
          : {}),
      }) as DifferentiableEvent[];
    } catch (error) {
      if (error instanceof ScichainError)
        throw new ScichainError(error.code, `subject ${subject.id}: ${error.message}`);
      throw error;
    }
    // Observations share solver output rows by time (a CMT 1 and a CMT 2 sample drawn together):
    // the solve saves each distinct time once, in ascending order.
    const times = Float64Array.from(subject.observations, (o) => o.time);
    const solveTimes = Float64Array.from(new Set(times)).sort();
    const rowOf = new Map<number, number>();
    solveTimes.forEach((t, k) => rowOf.set(t, k));
    const row = Int32Array.from(times, (t) => rowOf.get(t)!);
    const output = Int32Array.from(subject.observations, (o) => outputOf(subject.id, o));
    // A loop, not Math.min(...events): a long regimen has more events than the stack holds.
    let t0 = Math.min(0, solveTimes[0] ?? 0);
    for (const e of events) if (e.time < t0) t0 = e.time;
    const tEnd = solveTimes[solveTimes.length - 1];
    /** Errors of a prediction name the subject (solver failures, steady-state iterations). */
    const named = (error: unknown): unknown =>
      error instanceof ScichainError && !error.message.startsWith(`subject ${subject.id}`)
        ? new ScichainError(error.code, `subject ${subject.id}: ${error.message}`)
        : error;
    // Parameters not set from φ keep their initial values.
    const p = Float64Array.from(model.layout.initial());
    const u0 = new Float64Array(n);
    const y = new Float64Array(observe.outputCount);
    const yBar = new Float64Array(observe.outputCount);
    const uBar = new Float64Array(n);
    const pBar = new Float64Array(model.paramCount);
    const setParameters = (phi: Float64Array): void => {
      if (phi.length !== pIndex.length)
        throw new ScichainError(
          'ShapeMismatch',
          `φ has ${phi.length} entries; the parameters ${spec.parameters.join(', ')} take ${pIndex.length}`,
        );
      let a = 0;
      for (const b of blocks)
        for (let k = 0; k < b.size; k++, a++)
          p[b.offset + k] = b.transform.fromNatural(phi[a], b.name);
    };
    const transformOf = blocks.flatMap((b) => Array.from({ length: b.size }, () => b.transform));
    const sensitivityColumns = new Int32Array(pIndex.length);
    return {
      id: subject.id,
      times,
      observations: Float64Array.from(subject.observations, (o) => o.dv),
      covariates: subject.covariates,
      predict(phi: Float64Array, f: Float64Array) {
        setParameters(phi);
        if (times.length === 0) return;
        let solution;
        try {
          solution = solve(odeProblem({ f: model.f, u0, tspan: [t0, tEnd], p }), method, {
            rtol,
            atol,
            saveat: solveTimes,
            events,
          });
        } catch (error) {
          throw named(error);
        }
        if (!solution.success) {
          throw new ScichainError(
            'SolverFailed',
            `subject ${subject.id}: the ODE solve failed at t = ${solution.tEnd} of ${t0} → ${tEnd} (${solution.retcode}): ${solution.message}`,
          );
        }
        for (let j = 0; j < times.length; j++) {
          const k = row[j];
          observe.value(y, solution.u.subarray(k * n, (k + 1) * n), p, times[j]);
          f[j] = y[output[j]];
        }
      },
      predictWithJacobian: steady
        ? undefined
        : function predictWithJacobian(
            phi: Float64Array,
            f: Float64Array,
            jacobian: Float64Array,
            columns: Int32Array = allColumns,
          ) {
            setParameters(phi);
            if (times.length === 0) return;
            const m = columns.length;
            // Sensitivities only for the p entries of the requested φ columns.
            const pColumns = sensitivityColumns.subarray(0, m);
            for (let c = 0; c < m; c++) pColumns[c] = pIndex[columns[c]];
            let sensitivities;
            try {
              sensitivities = stateSensitivities(model, p, {
                u0,
                t0,
                times: solveTimes,
                events,
                method,
                rtol,
                atol,
                columns: pColumns,
              });
            } catch (error) {
              throw named(error);
            }
            const { u, S } = sensitivities;
            for (let j = 0; j < times.length; j++) {
              const k = row[j];
              const state = u.subarray(k * n, (k + 1) * n);
              observe.value(y, state, p, times[j]);
              f[j] = y[output[j]];
              yBar.fill(0);
              yBar[output[j]] = 1;
              pBar.fill(0);
              observe.vjp(yBar, state, p, times[j], uBar, pBar);
              for (let c = 0; c < m; c++) {
                const at = pColumns[c];
                let s = pBar[at];
                for (let i = 0; i < n; i++) s += uBar[i] * S[(k * n + i) * m + c];
                // ∂/∂φ = ∂/∂p ÷ dφ/dp (φ is the natural value of p's entry).
                jacobian[j * m + c] = s / transformOf[columns[c]].derivative(p[at]);
              }
            }
          },
    };
  });
}

/**
 * The output of `observe` each observation is predicted by, as a function of (subject ID,
 * observation); checks every observation's CMT up front, naming the subject, row, time and CMT
 * of the first that cannot be predicted.
 */
function observationOutputs(
  records: readonly SubjectRecords[],
  observe: Observation,
  outputs: Readonly<Record<number, string | number>> | undefined,
): (id: string, o: ObservationRecord) => number {
  const where = (id: string, o: ObservationRecord): string =>
    `subject ${id}, row ${o.row} (TIME ${o.time})`;
  if (outputs === undefined) {
    // One output for every observation: only right when they all refer to one compartment.
    let first: { id: string; o: ObservationRecord } | null = null;
    for (const subject of records) {
      for (const o of subject.observations) {
        if (o.cmt === 0) continue;
        if (first === null) first = { id: subject.id, o };
        else if (o.cmt !== first.o.cmt) {
          throw new ScichainError(
            'InvalidArgument',
            `${where(subject.id, o)}: observation in CMT ${o.cmt}, but ${where(first.id, first.o)} is in CMT ${first.o.cmt} ` +
              `and odeSubjects predicts every observation by ${observe.names[0] ?? 'the first output'}: ` +
              `map each compartment to an output of observe, e.g. outputs: { ${first.o.cmt}: '…', ${o.cmt}: '…' }`,
          );
        }
      }
    }
    return () => 0;
  }
  const byCmt = new Map<number, number>();
  for (const [key, value] of Object.entries(outputs)) {
    const cmt = Number(key);
    if (!Number.isInteger(cmt) || cmt < 0)
      throw new ScichainError('InvalidArgument', `outputs: '${key}' is not a compartment number`);
    const index = typeof value === 'number' ? value : observe.names.indexOf(value);
    if (!Number.isInteger(index) || index < 0 || index >= observe.outputCount) {
      throw new ScichainError(
        'InvalidArgument',
        `outputs: CMT ${cmt} maps to ${JSON.stringify(value)}, which is not an output of observe (${observe.names.join(', ')})`,
      );
    }
    byCmt.set(cmt, index);
  }
  for (const subject of records) {
    for (const o of subject.observations) {
      if (o.cmt !== 0 && !byCmt.has(o.cmt)) {
        throw new ScichainError(
          'InvalidArgument',
          `${where(subject.id, o)}: observation in CMT ${o.cmt}, which outputs does not map to an output of observe (it maps CMT ${[...byCmt.keys()].join(', ')})`,
        );
      }
    }
  }
  return (_id, o) => byCmt.get(o.cmt) ?? 0;
}
