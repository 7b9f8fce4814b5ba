/**
 * Three-compartment IV closed form (bolus and infusion): CMT 1 = central, 2 = first
 * peripheral (Q, V2), 3 = second peripheral (Q3, V3). Micro-constants k10 = CL/V, k12 = Q/V,
 * k21 = Q/V2, k13 = Q3/V, k31 = Q3/V3.
 */
import { ClosedFormPkModel, requirePositiveParameter } from './closed-form-pk-model.ts';

/** Clearance, central volume and the two peripherals' clearances and volumes. */
export interface ThreeCompartmentParameters {
  readonly cl: number;
  readonly v: number;
  readonly q: number;
  readonly v2: number;
  readonly q3: number;
  readonly v3: number;
}

/** Three compartments, IV. */
export class ClosedFormThreeCompartment extends ClosedFormPkModel {
  constructor(parameters: ThreeCompartmentParameters) {
    super(3, false, ['central', 'peripheral1', 'peripheral2']);
    this.setParameters(parameters);
  }

  /** New parameter values (no allocation). */
  setParameters(p: ThreeCompartmentParameters): void {
    const name = 'closed-form three-compartment model';
    requirePositiveParameter(name, 'cl', p.cl);
    requirePositiveParameter(name, 'v', p.v);
    requirePositiveParameter(name, 'q', p.q);
    requirePositiveParameter(name, 'v2', p.v2);
    requirePositiveParameter(name, 'q3', p.q3);
    requirePositiveParameter(name, 'v3', p.v3);
    this.setMicro(p.v, p.cl / p.v, p.q / p.v, p.q / p.v2, p.q3 / p.v, p.q3 / p.v3, 0);
  }
}
