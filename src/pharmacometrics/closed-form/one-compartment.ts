/**
 * One-compartment closed forms: IV (bolus and zero-order infusion into the central compartment,
 * CMT 1) and first-order absorption (depot CMT 1 → central CMT 2).
 */
import { ClosedFormPkModel, requirePositiveParameter } from './closed-form-pk-model.ts';

/** Clearance and volume. */
export interface OneCompartmentParameters {
  readonly cl: number;
  readonly v: number;
}

/** Clearance, volume and absorption rate constant. */
export interface OneCompartmentOralParameters extends OneCompartmentParameters {
  readonly ka: number;
}

/** One compartment, IV: a′ = −(CL/V)·a + r. CMT 1 = central. */
export class ClosedFormOneCompartment extends ClosedFormPkModel {
  constructor(parameters: OneCompartmentParameters) {
    super(1, false, ['central']);
    this.setParameters(parameters);
  }

  /** New parameter values (no allocation). */
  setParameters(p: OneCompartmentParameters): void {
    const name = 'closed-form one-compartment model';
    requirePositiveParameter(name, 'cl', p.cl);
    requirePositiveParameter(name, 'v', p.v);
    this.setMicro(p.v, p.cl / p.v, 0, 0, 0, 0, 0);
  }
}

/** One compartment with first-order absorption. CMT 1 = depot, CMT 2 = central. */
export class ClosedFormOneCompartmentOral extends ClosedFormPkModel {
  constructor(parameters: OneCompartmentOralParameters) {
    super(1, true, ['depot', 'central']);
    this.setParameters(parameters);
  }

  /** New parameter values (no allocation). */
  setParameters(p: OneCompartmentOralParameters): void {
    const name = 'closed-form one-compartment oral model';
    requirePositiveParameter(name, 'ka', p.ka);
    requirePositiveParameter(name, 'cl', p.cl);
    requirePositiveParameter(name, 'v', p.v);
    this.setMicro(p.v, p.cl / p.v, 0, 0, 0, 0, p.ka);
  }
}
