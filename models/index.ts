/**
 * `scichain/models`: ready-made models — the PK/PD library (one-, two- and three-compartment PK,
 * transit and neural absorption, Emax, sigmoid Emax, indirect response I–IV, turnover), built from
 * combinable model parts; the Lotka–Volterra universal differential equation; the circadian
 * indirect-response model with its network term — and `expressionModel`, which compiles models
 * from mathjs expressions (value, VJP, JVP and Jacobian as generated code).
 *
 * @module scichain/models
 */

// Models from expressions
/** Models compiled from mathjs expressions (value, VJP, JVP, Jacobian as generated code). */
export {
  expressionModel,
  ExpressionModel,
  type ExpressionModelSpec,
} from '../src/expressions/expression-model.ts';

// PK/PD library
/** Model parts and how they combine into one expression model. */
export * from './pk/model-part.ts';
/** Compartmental PK (each with its part and typical values). */
export * from './pk/one-compartment-iv.ts';
export * from './pk/one-compartment-oral.ts';
export * from './pk/two-compartment-iv.ts';
export * from './pk/two-compartment-oral.ts';
export * from './pk/three-compartment-iv.ts';
/** The Theophylline population model of nlmixr2's tutorial, with closed-form subjects. */
export * from './theophylline.ts';
/** Absorption models: transit compartments, a network. */
export * from './pk/transit-absorption.ts';
export * from './pk/neural-absorption.ts';
/** PD: Emax, sigmoid Emax, indirect response I–IV, turnover. */
export * from './pd/emax.ts';
export * from './pd/sigmoid-emax.ts';
export * from './pd/indirect-response.ts';
export * from './pd/turnover.ts';

// Universal differential equations
/** Lotka–Volterra with a network term (the UDE example's model and its truth). */
export * from './lotka-volterra-ude.ts';
/** Circadian indirect response with a network production term. */
export * from './circadian-indirect-response.ts';
