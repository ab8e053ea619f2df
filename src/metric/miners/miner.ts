import type { Random } from "../../random/index.js";
import { type Distance, dissimilarity } from "../distances/distance.js";
import { LpDistance } from "../distances/lp-distance.js";
import { checkLabels, type Matrix, matrixSize } from "../matrix.js";
import type { Triplets } from "./triplets.js";

/** Picks (anchor, positive, negative) index triplets from a labelled batch. */
export interface Miner {
  mine(embeddings: Matrix, labels: ArrayLike<number>): Triplets;
  /** What the last `mine` saw: a cheap collapse alarm (see the README). */
  readonly lastStats: MiningStats | null;
}

export interface MiningStats {
  triplets: number;
  /** Mean d(a,p) and d(a,n) over the mined triplets, in the distance's own units. */
  meanAnchorPositive: number;
  meanAnchorNegative: number;
  /** Fraction of mined triplets with the negative at least as close as the positive. */
  hardFraction: number;
}

export interface MinerOptions {
  /** Which distance ranks candidates (default: the Euclidean LpDistance). */
  distance?: Distance;
}

export interface RandomMinerOptions extends MinerOptions {
  /** Seeded source of every random choice (same seed ⇒ same triplets). */
  random: Random;
}

/** One anchor's candidates, as the base loop hands them to a miner's selection rule. */
export interface AnchorCandidates {
  /** Index of the anchor in the batch. */
  anchor: number;
  /** Items with the anchor's label, the anchor left out, in index order; never empty. */
  positives: number[];
  /** Items with another label, in index order; never empty. */
  negatives: number[];
}

/**
 * The loop every triplet miner shares (pytorch-metric-learning's BaseTupleMiner): prepare the
 * batch's dissimilarity matrix, visit the anchors in index order, skip an anchor without a
 * positive or without a negative (it has no triplet), collect what the selection rule adds,
 * and keep the statistics in `lastStats`. A miner supplies only `selectTriplets`, called once
 * per remaining anchor, in index order; triplets keep the order in which they are added.
 */
export abstract class BaseMiner implements Miner {
  readonly distance: Distance;
  lastStats: MiningStats | null = null;

  constructor(distance: Distance = new LpDistance()) {
    this.distance = distance;
  }

  mine(embeddings: Matrix, labels: ArrayLike<number>): Triplets {
    const batch = prepareBatch(this.distance, embeddings, labels);
    const out = new TripletCollector(batch);
    for (let a = 0; a < batch.n; a++) {
      const { positives, negatives } = partners(batch, a);
      if (positives.length === 0 || negatives.length === 0) continue;
      this.selectTriplets(batch, { anchor: a, positives, negatives }, (p, n) => out.add(a, p, n));
    }
    const { triplets, stats } = out.finish();
    this.lastStats = stats;
    return triplets;
  }

  /** The miner's own rule: add(positive, negative) for each triplet of this anchor. */
  protected abstract selectTriplets(
    batch: Batch,
    candidates: AnchorCandidates,
    add: (positive: number, negative: number) => void,
  ): void;
}

/** The batch prepared for mining: sizes and the "smaller = closer" matrix. */
export interface Batch {
  n: number;
  labels: ArrayLike<number>;
  /** dis[a·n + j]: dissimilarity of a and j (distance, or negated similarity). */
  dis: Float64Array;
  /** Raw matrix values for statistics. */
  raw: Float64Array;
}

export function prepareBatch(
  distance: Distance,
  embeddings: Matrix,
  labels: ArrayLike<number>,
): Batch {
  const { rows: n } = matrixSize(embeddings);
  checkLabels(labels, n);
  const dis = dissimilarity(distance, embeddings);
  const raw = distance.isInverted ? dis.map((v) => -v) : dis;
  return { n, labels, dis, raw };
}

/** Positives of anchor a (same label, not a) and its negatives, both in index order. */
export function partners(batch: Batch, a: number): { positives: number[]; negatives: number[] } {
  const positives: number[] = [];
  const negatives: number[] = [];
  for (let j = 0; j < batch.n; j++) {
    if (batch.labels[j] !== batch.labels[a]) negatives.push(j);
    else if (j !== a) positives.push(j);
  }
  return { positives, negatives };
}

/** Indices sorted closest first to anchor a; ties by lower index, so the order is total. */
export function closestFirst(batch: Batch, a: number, candidates: number[]): number[] {
  const row = a * batch.n;
  return [...candidates].sort((i, j) => batch.dis[row + i] - batch.dis[row + j] || i - j);
}

/** Collects triplets and their statistics. */
export class TripletCollector {
  private readonly a: number[] = [];
  private readonly p: number[] = [];
  private readonly ng: number[] = [];

  constructor(private readonly batch: Batch) {}

  add(a: number, p: number, n: number): void {
    this.a.push(a);
    this.p.push(p);
    this.ng.push(n);
  }

  finish(): { triplets: Triplets; stats: MiningStats } {
    const { n, dis, raw } = this.batch;
    let ap = 0;
    let an = 0;
    let hard = 0;
    for (let i = 0; i < this.a.length; i++) {
      const row = this.a[i] * n;
      ap += raw[row + this.p[i]];
      an += raw[row + this.ng[i]];
      if (dis[row + this.ng[i]] <= dis[row + this.p[i]]) hard++;
    }
    const count = this.a.length;
    return {
      triplets: {
        anchors: Int32Array.from(this.a),
        positives: Int32Array.from(this.p),
        negatives: Int32Array.from(this.ng),
      },
      stats: {
        triplets: count,
        meanAnchorPositive: count ? ap / count : Number.NaN,
        meanAnchorNegative: count ? an / count : Number.NaN,
        hardFraction: count ? hard / count : Number.NaN,
      },
    };
  }
}
