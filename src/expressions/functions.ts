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

/**
 * A frozen table without a prototype: names come from model files, and a lookup such as
 * `table['toString']` or `table['constructor']` must find nothing rather than Object.prototype's.
 */
function prototypeFree<T>(entries: Record<string, T>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}

/** Smooth functions by mathjs name (prototype-free: see {@link allowedFunction}). */
export const ALLOWED_FUNCTIONS: Readonly<Record<string, AllowedFunction>> = prototypeFree({
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
});

/** Functions refused with a reason (non-differentiable somewhere the solver may go). */
export const REFUSED_FUNCTIONS: Readonly<Record<string, string>> = prototypeFree({
  abs: 'abs is not differentiable at 0; use sqrt(x^2 + eps) or restructure the model',
  sign: 'sign is not differentiable (its derivative is 0 almost everywhere and undefined at 0)',
  floor: 'floor is not differentiable',
  ceil: 'ceil is not differentiable',
  round: 'round is not differentiable',
  fix: 'fix is not differentiable',
  mod: 'mod is not differentiable',
  max: 'max is not differentiable where its arguments are equal; use a smooth maximum',
  min: 'min is not differentiable where its arguments are equal; use a smooth minimum',
});

/** The allowed function called `name`, if any (own entries only). */
export function allowedFunction(name: string): AllowedFunction | undefined {
  return Object.hasOwn(ALLOWED_FUNCTIONS, name) ? ALLOWED_FUNCTIONS[name] : undefined;
}

/** Why the function called `name` is refused, if it is (own entries only). */
export function refusedFunction(name: string): string | undefined {
  return Object.hasOwn(REFUSED_FUNCTIONS, name) ? REFUSED_FUNCTIONS[name] : undefined;
}

/** The mathjs constants expressions may use, with their JavaScript (prototype-free lookup). */
export const MATH_CONSTANTS: ReadonlyMap<string, string> = new Map([
  ['pi', 'Math.PI'],
  ['e', 'Math.E'],
]);
