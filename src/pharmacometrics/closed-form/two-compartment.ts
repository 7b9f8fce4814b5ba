/**
 * Two-compartment closed forms: IV (CMT 1 = central, CMT 2 = peripheral) and first-order
 * absorption (CMT 1 = depot, 2 = central, 3 = peripheral). Micro-constants k10 = CL/V,
 * k12 = Q/V, k21 = Q/V2.
 */
import { ClosedFormPkModel, requirePositiveParameter } from './closed-form-pk-model.ts';

/** Clearance, central volume, intercompartmental clearance, peripheral volume. */
export interface TwoCompartmentParameters {
  readonly cl: number;
  readonly v: number;
  readonly q: number;
  readonly v2: number;
}

/** {@link TwoCompartmentParameters} and the absorption rate constant. */
export interface TwoCompartmentOralParameters extends TwoCompartmentParameters {
  readonly ka: number;
}

function check(name: string, p: TwoCompartmentParameters): void {
  requirePositiveParameter(name, 'cl', p.cl);
  requirePositiveParameter(name, 'v', p.v);
  requirePositiveParameter(name, 'q', p.q);
  requirePositiveParameter(name, 'v2', p.v2);
}

/** Two compartments, IV. */
export class ClosedFormTwoCompartment extends ClosedFormPkModel {
  constructor(parameters: TwoCompartmentParameters) {
    super(2, false, ['central', 'peripheral']);
    this.setParameters(parameters);
  }

  /** New parameter values (no allocation). */
  setParameters(p: TwoCompartmentParameters): void {
    check('closed-form two-compartment model', p);
    this.setMicro(p.v, p.cl / p.v, p.q / p.v, p.q / p.v2, 0, 0, 0);
  }
}

/** Two compartments with first-order absorption. */
export class ClosedFormTwoCompartmentOral extends ClosedFormPkModel {
  constructor(parameters: TwoCompartmentOralParameters) {
    super(2, true, ['depot', 'central', 'peripheral']);
    this.setParameters(parameters);
  }

  /** New parameter values (no allocation). */
  setParameters(p: TwoCompartmentOralParameters): void {
    const name = 'closed-form two-compartment oral model';
    requirePositiveParameter(name, 'ka', p.ka);
    check(name, p);
    this.setMicro(p.v, p.cl / p.v, p.q / p.v, p.q / p.v2, 0, 0, p.ka);
  }
}
