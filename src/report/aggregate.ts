/**
 * Statistics of one metric series (one run) and their aggregation over seeds: per-epoch bands
 * (mean, min–max) for the figures, and a per-seed statistic's spread for the claims.
 */
import type { MetricsRow } from "../experiments/index.js";
import { THRESHOLDS as T } from "./thresholds.js";

export type Metric = "trainLoss" | "valLoss" | "valTop1" | "valMapAtR" | "valMrr";

export const values = (rows: readonly MetricsRow[], metric: Metric): number[] =>
  rows.map((r) => r[metric]);

const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;

/** Mean of the last THRESHOLDS.finalEpochs values (NaN for an empty series). */
export function finalValue(series: readonly number[]): number {
  const tail = series.slice(-T.finalEpochs);
  return tail.length > 0 ? mean(tail) : Number.NaN;
}

/** First epoch (1-based) whose value satisfies `ok`, or null when none does. */
export function firstEpoch(series: readonly number[], ok: (v: number) => boolean): number | null {
  const i = series.findIndex(ok);
  return i < 0 ? null : i + 1;
}

/**
 * Val-loss spikes: epochs where the loss is more than THRESHOLDS.spikeRelative (relative) and
 * more than THRESHOLDS.spikeAbsolute (absolute) above its running minimum so far; a run of
 * consecutive spiking epochs counts once.
 */
export function spikes(series: readonly number[]): number {
  let min = Number.POSITIVE_INFINITY;
  let count = 0;
  let inSpike = false;
  for (const v of series) {
    const rise = v - min;
    const spike = rise > T.spikeAbsolute && rise > T.spikeRelative * Math.abs(min);
    if (spike && !inSpike) count++;
    inSpike = spike;
    min = Math.min(min, v);
  }
  return count;
}

/**
 * Speed of learning: the mean of a curve over its epochs (the area under it per epoch). Of two
 * runs with the same plateau, the one that gets there sooner has the higher value.
 */
export function speed(series: readonly number[]): number {
  return series.length > 0 ? mean(series) : Number.NaN;
}

/** Spearman rank correlation, ties given their average rank; 0 when either side is constant. */
export function spearman(x: readonly number[], y: readonly number[]): number {
  const rank = (v: readonly number[]) => {
    const order = v.map((val, i) => [val, i] as const).sort((a, b) => a[0] - b[0]);
    const r = new Array<number>(v.length);
    for (let i = 0; i < order.length; ) {
      let j = i;
      while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
      for (let k = i; k <= j; k++) r[order[k][1]] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const rx = rank(x);
  const ry = rank(y);
  const mx = mean(rx);
  const my = mean(ry);
  let num = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < x.length; i++) {
    num += (rx[i] - mx) * (ry[i] - my);
    dx += (rx[i] - mx) ** 2;
    dy += (ry[i] - my) ** 2;
  }
  return dx === 0 || dy === 0 ? 0 : num / Math.sqrt(dx * dy);
}

/** A per-epoch point of a curve aggregated over seeds. */
export interface BandPoint {
  epoch: number;
  mean: number;
  min: number;
  max: number;
}

/** Mean and min–max over seeds per epoch, over the epochs every seed has. */
export function band(runs: readonly (readonly MetricsRow[])[], metric: Metric): BandPoint[] {
  const nonEmpty = runs.filter((r) => r.length > 0);
  if (nonEmpty.length === 0) return [];
  const epochs = Math.min(...nonEmpty.map((r) => r.length));
  const out: BandPoint[] = [];
  for (let e = 0; e < epochs; e++) {
    const v = nonEmpty.map((r) => r[e][metric]);
    out.push({ epoch: e + 1, mean: mean(v), min: Math.min(...v), max: Math.max(...v) });
  }
  return out;
}

/** A statistic over seeds: mean and min–max of the seeds where it is defined (`n` of `of`). */
export interface Spread {
  mean: number;
  min: number;
  max: number;
  n: number;
  of: number;
}

/** The spread of per-seed values; null and NaN values (undefined statistics) are left out. */
export function spread(perSeed: readonly (number | null)[]): Spread | null {
  const v = perSeed.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0) return null;
  return {
    mean: mean(v),
    min: Math.min(...v),
    max: Math.max(...v),
    n: v.length,
    of: perSeed.length,
  };
}
