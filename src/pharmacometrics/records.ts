/**
 * The event records of one subject, as a NONMEM-style data set describes them, after reading and
 * validation (`nonmem-data.ts`) and before dosing semantics turn them into solver events
 * (`dosing/`). Times are in the data's units; compartments are NONMEM's 1-based CMT numbers.
 */

/** A dose record (EVID 1, or EVID 4 = reset then dose). */
export interface DoseRecord {
  readonly time: number;
  /** 1-based compartment (CMT). */
  readonly cmt: number;
  /** Amount (AMT), ≥ 0. */
  readonly amount: number;
  /**
   * RATE: 0 for a bolus; > 0 a zero-order infusion at this rate; −1 rate and −2 duration taken
   * from the model.
   */
  readonly rate: number;
  /** DUR when the data give it (0 when absent); with RATE 0 it makes the dose an infusion. */
  readonly duration: number;
  /** Interdose interval II (0 when absent). */
  readonly ii: number;
  /** Additional doses ADDL (0 when absent). */
  readonly addl: number;
  /** Steady state SS: 0 none, 1 reset to steady state, 2 steady state added to the current state. */
  readonly ss: 0 | 1 | 2;
  /** EVID 4: reset every compartment before this dose. */
  readonly reset: boolean;
  /** 1-based data row (header = row 1) for messages. */
  readonly row: number;
}

/** An observation record (EVID 0, MDV 0). */
export interface ObservationRecord {
  readonly time: number;
  /** 1-based compartment (CMT) the observation refers to (0 when absent: the default output). */
  readonly cmt: number;
  readonly dv: number;
  readonly row: number;
}

/** A time-varying covariate: last observation carried forward between its record times. */
export interface CovariateSeries {
  readonly times: Float64Array;
  readonly values: Float64Array;
}

/**
 * Everything of one subject, records in time order (data order kept for equal times) — except
 * that TIME may restart at a reset (EVID 3 or 4), after which the records follow the data order.
 */
export interface SubjectRecords {
  /** The ID as written in the file. */
  readonly id: string;
  readonly doses: readonly DoseRecord[];
  readonly observations: readonly ObservationRecord[];
  /** Times of EVID 3 records (reset every compartment). */
  readonly resets: readonly number[];
  /**
   * 1-based data rows of the EVID 3 records, parallel to `resets` (the reader fills it). With
   * the `row` of doses and observations it gives the data order, which is the event order also
   * where TIME restarts after a reset.
   */
  readonly resetRows?: readonly number[];
  /** Covariates constant within the subject. */
  readonly covariates: Readonly<Record<string, number>>;
  /** Covariates that change within the subject. */
  readonly timeVarying: Readonly<Record<string, CovariateSeries>>;
}
