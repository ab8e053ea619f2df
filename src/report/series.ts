/**
 * Per-epoch curves of a configuration, aggregated over seeds (mean, min, max), and the
 * summary statistics the claims are decided on. Every threshold lives in THRESHOLDS.
 */
import type { MetricsRow } from "../experiments/index.js";
import type { Group } from "./load.js";

export const THRESHOLDS = {
  /** Train loss counts as "≈ 0" at or below this. */
  lossZero: 0.02,
  /** Val top-1 counts as "1.0" / converged at or above this. */
  converged: 0.99,
  /** A val-loss spike: a rise of more than this fraction over the running minimum… */
  spikeRelative: 0.25,
  /** …and of more than this much in absolute terms (so noise around 0 is not a spike). */
  spikeAbsolute: 0.01,
  /** "≈ x" means within this of x (accuracies). */
  approx: 0.1,
  /** Epochs averaged for a "final" figure. */
  finalEpochs: 3,
  /** Two configurations differ when their final top-1 differs by more than this. */
  differs: 0.1,
  /** "Early": by this epoch (the paper's "≈ 15"; its Fig. 1 jumps at 8/10/12). */
  early: 15,
} as const;

export type Metric = "trainLoss" | "valLoss" | "valTop1" | "valMapAtR" | "valMrr";

export interface Band {
  epoch: number;
  mean: number;
  min: number;
  max: number;
}

/** Mean and min–max over seeds per epoch, over the epochs every seed has. */
export function band(group: Group, metric: Metric): Band[] {
  const runs = group.runs.filter((r) => r.rows.length > 0);
  if (runs.length === 0) return [];
  const epochs = Math.min(...runs.map((r) => r.rows.length));
  const out: Band[] = [];
  for (let e = 0; e < epochs; e++) {
    const v = runs.map((r) => r.rows[e][metric]);
    out.push({
      epoch: e + 1,
      mean: v.reduce((a, b) => a + b, 0) / v.length,
      min: Math.min(...v),
      max: Math.max(...v),
    });
  }
  return out;
}

export const values = (rows: readonly MetricsRow[], metric: Metric) => rows.map((r) => r[metric]);

/** Mean of the last THRESHOLDS.finalEpochs values. */
export function finalValue(series: readonly number[]): number {
  const tail = series.slice(-THRESHOLDS.finalEpochs);
  return tail.length > 0 ? tail.reduce((a, b) => a + b, 0) / tail.length : Number.NaN;
}

/** First epoch (1-based) whose value satisfies `ok`, or null. */
export function firstEpoch(series: readonly number[], ok: (v: number) => boolean): number | null {
  const i = series.findIndex(ok);
  return i < 0 ? null : i + 1;
}

/** Val-loss spikes: epochs where the loss rises past the running minimum by both thresholds. */
export function spikes(series: readonly number[]): number {
  let min = Number.POSITIVE_INFINITY;
  let count = 0;
  let inSpike = false;
  for (const v of series) {
    const rise = v - min;
    const spike =
      Number.isFinite(min) &&
      rise > THRESHOLDS.spikeAbsolute &&
      rise > THRESHOLDS.spikeRelative * Math.abs(min);
    if (spike && !inSpike) count++;
    inSpike = spike;
    min = Math.min(min, v);
  }
  return count;
}

/** Mean over epochs: the area under a curve per epoch, a speed-and-level summary. */
export function meanOver(series: readonly number[]): number {
  return series.length > 0 ? series.reduce((a, b) => a + b, 0) / series.length : Number.NaN;
}

/** A statistic per seed, then its mean and min–max. */
export interface Spread {
  mean: number;
  min: number;
  max: number;
  seeds: number;
}

export function perSeed(group: Group, stat: (rows: MetricsRow[]) => number | null): Spread {
  const v = group.runs.map((r) => stat(r.rows)).map((x) => (x === null ? Number.NaN : x));
  const finite = v.filter((x) => Number.isFinite(x));
  if (finite.length === 0)
    return { mean: Number.NaN, min: Number.NaN, max: Number.NaN, seeds: v.length };
  return {
    mean: finite.reduce((a, b) => a + b, 0) / finite.length,
    min: Math.min(...finite),
    max: Math.max(...finite),
    seeds: v.length,
  };
}

export function fmt(s: Spread, digits = 2): string {
  if (!Number.isFinite(s.mean)) return "—";
  if (s.seeds <= 1 || s.min === s.max) return s.mean.toFixed(digits);
  return `${s.mean.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}
