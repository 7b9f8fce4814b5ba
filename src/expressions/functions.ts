/**
 * The functions model expressions may use, with their JavaScript equivalents. Only smooth
 * functions are allowed: gradients must exist wherever the solver goes. The table also covers
 * the functions mathjs's symbolic derivative introduces (sec, sech, …).
 */

/** A function expressions may call: arity and the JavaScript it becomes. */
export interface AllowedFunction {
  readonly arity: number;
  /** JavaScript for the call, given the emitted arguments. */
  emit(args: readonly string[]): string;
}

const unary = (js: string): AllowedFunction => ({ arity: 1, emit: ([x]) => `${js}(${x})` });
const reciprocal = (js: string): AllowedFunction => ({
  arity: 1,
  emit: ([x]) => `(1 / ${js}(${x}))`,
});

/** Smooth functions by mathjs name. */
export const ALLOWED_FUNCTIONS: Readonly<Record<string, AllowedFunction>> = {
  exp: unary('Math.exp'),
  log: unary('Math.log'),
  sqrt: unary('Math.sqrt'),
  cbrt: unary('Math.cbrt'),
  sin: unary('Math.sin'),
  cos: unary('Math.cos'),
  tan: unary('Math.tan'),
  asin: unary('Math.asin'),
  acos: unary('Math.acos'),
  atan: unary('Math.atan'),
  sinh: unary('Math.sinh'),
  cosh: unary('Math.cosh'),
  tanh: unary('Math.tanh'),
  asinh: unary('Math.asinh'),
  acosh: unary('Math.acosh'),
  atanh: unary('Math.atanh'),
  sec: reciprocal('Math.cos'),
  csc: reciprocal('Math.sin'),
  cot: reciprocal('Math.tan'),
  sech: reciprocal('Math.cosh'),
  csch: reciprocal('Math.sinh'),
  coth: reciprocal('Math.tanh'),
  pow: { arity: 2, emit: ([x, y]) => `Math.pow(${x}, ${y})` },
};

/** Functions refused with a reason (non-differentiable somewhere the solver may go). */
export const REFUSED_FUNCTIONS: Readonly<Record<string, string>> = {
  abs: 'abs is not differentiable at 0; use sqrt(x^2 + eps) or restructure the model',
  sign: 'sign is not differentiable (its derivative is 0 almost everywhere and undefined at 0)',
  floor: 'floor is not differentiable',
  ceil: 'ceil is not differentiable',
  round: 'round is not differentiable',
  fix: 'fix is not differentiable',
  mod: 'mod is not differentiable',
  max: 'max is not differentiable where its arguments are equal; use a smooth maximum',
  min: 'min is not differentiable where its arguments are equal; use a smooth minimum',
};
