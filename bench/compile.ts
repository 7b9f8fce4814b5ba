/**
 * `npm run bench -- compile [--terms 1,2,5,10,20,50] [--repetitions 3] [--calls 20000]`
 *
 * Compile time of expression models as they grow: a six-state PK/PD system whose every equation
 * is a sum of k terms (Michaelis–Menten, mass action, inhibitory Hill with a fitted exponent,
 * exp-product input, transit flow), each term with its own parameters. Per k: `compile_ms`
 * (median of the repetitions: parse, differentiate, generate, `new Function`), and the run time
 * of the generated right-hand side and VJP (`rhs_ns_per_call`, `vjp_ns_per_call`, medians).
 * The same run-time figures for the bundled Lotka–Volterra and two-compartment models follow
 * (`model` field), to compare generated code before and after a compiler change.
 */
import { expressionModel, scalar } from '../src/index.ts';
import { type ExpressionModel } from '../models/index.ts';
import type { ExpressionModelSpec } from '../src/expressions/expression-model.ts';
import { lotkaVolterraModel } from '../models/lotka-volterra-ude.ts';
import { emit, median, nanosecondsPerCall, numberOption } from './harness.ts';

/** The states of {@link termModelSpec}: a transit chain into a two-compartment PK and a response. */
export const TERM_MODEL_STATES = [
  'depot',
  'transit1',
  'transit2',
  'central',
  'peripheral',
  'response',
];

/**
 * A realistic model with `k` terms in every equation. Term j of equation s is one of five
 * shapes over states X, Y (chosen by s and j) with its own parameters `<name>_<s>_<j>`;
 * parameters alternate between identity and log transforms.
 */
export function termModelSpec(k: number): ExpressionModelSpec {
  const states = TERM_MODEL_STATES;
  const n = states.length;
  const parameters: Record<string, ReturnType<typeof scalar>> = {};
  const param = (name: string, value: number): string => {
    const at = Object.keys(parameters).length;
    parameters[name] = scalar(value, at % 2 === 0 ? {} : { transform: 'positive' });
    return name;
  };
  const equations: Record<string, string> = {};
  states.forEach((state, s) => {
    const terms: string[] = [];
    for (let j = 0; j < k; j++) {
      const x = states[(s + j) % n];
      const y = states[(s + j + 1) % n];
      const id = `${s}_${j}`;
      const sign = j % 2 === 0 ? '-' : '+';
      switch ((s + j) % 5) {
        case 0: // Michaelis–Menten elimination
          terms.push(`${param(`Vmax_${id}`, 2)}*${x}/(${param(`Km_${id}`, 1.5)} + ${x})`);
          break;
        case 1: // mass action
          terms.push(`${param(`k_${id}`, 0.3)}*${x}*${y}`);
          break;
        case 2: {
          // inhibited production, Hill exponent fitted
          const h = param(`h_${id}`, 1.8);
          const ic50 = param(`IC50_${id}`, 0.9);
          terms.push(
            `${param(`kin_${id}`, 1.1)}*(1 - ${param(`Imax_${id}`, 0.7)}*${x}^${h}/(${ic50}^${h} + ${x}^${h}))`,
          );
          break;
        }
        case 3: // decaying input
          terms.push(`exp(-${param(`ke_${id}`, 0.2)}*t)*${x}`);
          break;
        default: // transit flow
          terms.push(`${param(`ktr_${id}`, 1.4)}*(${x} - ${y})`);
      }
      const last = terms.length - 1;
      terms[last] =
        j === 0 ? `${sign === '-' ? '-' : ''}${terms[last]}` : ` ${sign} ${terms[last]}`;
    }
    equations[state] = terms.join('');
  });
  return { states, parameters, equations };
}

function timeCalls(model: ExpressionModel, calls: number): { rhs: number; vjp: number } {
  const n = model.stateCount;
  const p = model.initialParameters();
  const u = Float64Array.from({ length: n }, (_, i) => 0.5 + 0.1 * i);
  const du = new Float64Array(n);
  const yBar = Float64Array.from({ length: n }, (_, i) => 1 - 0.2 * i);
  const uBar = new Float64Array(n);
  const pBar = new Float64Array(p.length);
  let t = 0;
  const rhs = nanosecondsPerCall(
    () => {
      t = (t + 0.001) % 1;
      model.f(du, u, p, t);
    },
    calls,
    15,
  );
  const vjp = nanosecondsPerCall(
    () => {
      t = (t + 0.001) % 1;
      model.vjp(yBar, u, p, t, uBar, pBar);
    },
    calls,
    15,
  );
  return { rhs, vjp };
}

function twoCompartmentMichaelisMenten(): ExpressionModel {
  return expressionModel({
    states: ['depot', 'central', 'peripheral'],
    parameters: {
      ka: scalar(1.2, { transform: 'positive' }),
      vmax: scalar(5, { transform: 'positive' }),
      km: scalar(2, { transform: 'positive' }),
      q: scalar(3, { transform: 'positive' }),
      v1: scalar(20, { transform: 'positive' }),
      v2: scalar(40, { transform: 'positive' }),
    },
    definitions: { c1: 'central/v1', c2: 'peripheral/v2' },
    equations: {
      depot: '-ka*depot',
      central: 'ka*depot - vmax*c1/(km + c1) - q*(c1 - c2)',
      peripheral: 'q*(c1 - c2)',
    },
  });
}

export function run(args: string[]): void {
  const i = args.indexOf('--terms');
  const list = i < 0 ? [1, 2, 5, 10, 20, 50] : args[i + 1].split(',').map(Number);
  const repetitions = numberOption(args, 'repetitions', 3);
  const calls = numberOption(args, 'calls', 20_000);
  for (const k of list) {
    const spec = termModelSpec(k);
    const times: number[] = [];
    let model: ExpressionModel | null = null;
    for (let r = 0; r < repetitions; r++) {
      const t0 = performance.now();
      model = expressionModel(spec);
      times.push(performance.now() - t0);
    }
    const context = {
      terms: k,
      states: TERM_MODEL_STATES.length,
      parameters: Object.keys(spec.parameters ?? {}).length,
    };
    emit({ bench: 'compile', metric: 'compile_ms', value: median(times), unit: 'ms', ...context });
    const { rhs, vjp } = timeCalls(model!, calls);
    emit({ bench: 'compile', metric: 'rhs_ns_per_call', value: rhs, unit: 'ns', ...context });
    emit({ bench: 'compile', metric: 'vjp_ns_per_call', value: vjp, unit: 'ns', ...context });
  }
  const bundled: [string, () => ExpressionModel][] = [
    ['lotka-volterra', lotkaVolterraModel],
    ['two-compartment-michaelis-menten', twoCompartmentMichaelisMenten],
  ];
  for (const [name, make] of bundled) {
    const { rhs, vjp } = timeCalls(make(), calls);
    emit({ bench: 'compile', metric: 'rhs_ns_per_call', value: rhs, unit: 'ns', model: name });
    emit({ bench: 'compile', metric: 'vjp_ns_per_call', value: vjp, unit: 'ns', model: name });
  }
}
