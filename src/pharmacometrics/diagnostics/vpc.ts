/**
 * Visual predictive check: simulate the design many times from the fitted model and compare
 * the observed percentiles per time bin with the distribution of the same percentiles across
 * replicates (median and a prediction interval of each).
 */
import { ScichainError } from '../../core/errors.ts';
import { quantile } from '../../math/statistics.ts';
import { Rng } from '../../core/rng.ts';
import type { PopulationModel, PopulationSubject } from '../estimation/population-model.ts';
import { simulatePopulation } from '../simulation/simulate-population.ts';

/** Options of {@link visualPredictiveCheck}. */
export interface VpcOptions {
  /** Replicates of the design (default 200). */
  readonly replicates?: number;
  /** Bin edges in time (default: observation-time quantiles giving ~8 bins). */
  readonly binEdges?: readonly number[];
  /** Percentiles compared (default 5, 50, 95). */
  readonly percentiles?: readonly number[];
  /** Level of the interval of each simulated percentile (default 0.9). */
  readonly interval?: number;
  readonly seed?: number;
}

/** One bin of a VPC. */
export interface VpcBin {
  readonly from: number;
  readonly to: number;
  /** Median observation time in the bin (for plotting). */
  readonly time: number;
  readonly observedCount: number;
  /** Observed percentile per requested level. */
  readonly observed: readonly number[];
  /** Simulated percentile per level: median over replicates and the interval's ends. */
  readonly simulatedMedian: readonly number[];
  readonly simulatedLow: readonly number[];
  readonly simulatedHigh: readonly number[];
}

/** Result of {@link visualPredictiveCheck}. */
export interface Vpc {
  readonly percentiles: readonly number[];
  readonly replicates: number;
  readonly bins: readonly VpcBin[];
}

function defaultEdges(times: number[]): number[] {
  const sorted = [...new Set(times)].sort((a, b) => a - b);
  const count = Math.min(8, sorted.length);
  const edges = [sorted[0]];
  for (let b = 1; b < count; b++) edges.push(quantile(times, b / count));
  edges.push(sorted[sorted.length - 1]);
  return [...new Set(edges)];
}

function binOf(edges: readonly number[], t: number): number {
  for (let b = 0; b < edges.length - 1; b++) if (t <= edges[b + 1]) return b;
  return edges.length - 2;
}

/** Runs a VPC of the model at x over the subjects' design and observations. */
export function visualPredictiveCheck(
  model: PopulationModel,
  x: ArrayLike<number>,
  subjects: readonly PopulationSubject[],
  options: VpcOptions = {},
): Vpc {
  const replicates = options.replicates ?? 200;
  const percentiles = options.percentiles ?? [5, 50, 95];
  const interval = options.interval ?? 0.9;
  if (!Number.isInteger(replicates) || replicates < 2)
    throw new ScichainError(
      'InvalidArgument',
      `VPC replicates must be an integer ≥ 2, got ${replicates}`,
    );
  const times = subjects.flatMap((s) => Array.from(s.times));
  const edges = options.binEdges ? [...options.binEdges] : defaultEdges(times);
  const bins = edges.length - 1;
  if (bins < 1) throw new ScichainError('InvalidArgument', 'VPC needs at least two bin edges');
  edges.forEach((e, i) => {
    if (!Number.isFinite(e) || (i > 0 && !(e > edges[i - 1])))
      throw new ScichainError(
        'InvalidArgument',
        `VPC bin edges must be finite and increasing: edge ${i + 1} is ${e}${i > 0 ? ` after ${edges[i - 1]}` : ''}`,
      );
  });
  const observedByBin: number[][] = Array.from({ length: bins }, () => []);
  const timesByBin: number[][] = Array.from({ length: bins }, () => []);
  // A NaN would sort anywhere and make every percentile of its bin wrong without a sign.
  for (const s of subjects)
    for (let j = 0; j < s.times.length; j++) {
      const where = `subject ${s.id}, observation ${j + 1} (time ${s.times[j]})`;
      if (!Number.isFinite(s.observations[j]))
        throw new ScichainError('NonFinite', `VPC: ${where}: DV is ${s.observations[j]}`);
      if (!(s.times[j] >= edges[0] && s.times[j] <= edges[bins]))
        throw new ScichainError(
          'InvalidArgument',
          `VPC: ${where} lies outside the bin edges ${edges[0]} to ${edges[bins]}`,
        );
      const b = binOf(edges, s.times[j]);
      observedByBin[b].push(s.observations[j]);
      timesByBin[b].push(s.times[j]);
    }
  observedByBin.forEach((values, b) => {
    if (values.length === 0)
      throw new ScichainError(
        'InvalidArgument',
        `VPC: bin ${b + 1} (${edges[b]} to ${edges[b + 1]}) has no observations`,
      );
  });
  // simulated[b][p][r]: percentile p of bin b in replicate r.
  const simulated = Array.from({ length: bins }, () => percentiles.map(() => [] as number[]));
  const rng = new Rng(options.seed ?? 1);
  for (let r = 0; r < replicates; r++) {
    let sims: ReturnType<typeof simulatePopulation>;
    try {
      sims = simulatePopulation(model, x, subjects, rng);
    } catch (e) {
      if (!(e instanceof ScichainError)) throw e;
      throw new ScichainError(e.code, `VPC replicate ${r + 1}: ${e.message}`);
    }
    const byBin: number[][] = Array.from({ length: bins }, () => []);
    for (const s of sims)
      for (let j = 0; j < s.times.length; j++) {
        if (!Number.isFinite(s.observations[j]))
          throw new ScichainError(
            'NonFinite',
            `VPC replicate ${r + 1}: subject ${s.id}, observation ${j + 1} (time ${s.times[j]}): the simulated value is ${s.observations[j]} (prediction ${s.ipred[j]}, η ${Array.from(s.eta, (v) => v.toPrecision(4)).join(', ')})`,
          );
        byBin[binOf(edges, s.times[j])].push(s.observations[j]);
      }
    for (let b = 0; b < bins; b++)
      percentiles.forEach((p, i) => simulated[b][i].push(quantile(byBin[b], p / 100)));
  }
  const lo = (1 - interval) / 2;
  return {
    percentiles,
    replicates,
    bins: Array.from({ length: bins }, (_, b) => ({
      from: edges[b],
      to: edges[b + 1],
      time: quantile(timesByBin[b], 0.5),
      observedCount: observedByBin[b].length,
      observed: percentiles.map((p) => quantile(observedByBin[b], p / 100)),
      simulatedMedian: simulated[b].map((v) => quantile(v, 0.5)),
      simulatedLow: simulated[b].map((v) => quantile(v, lo)),
      simulatedHigh: simulated[b].map((v) => quantile(v, 1 - lo)),
    })),
  };
}
