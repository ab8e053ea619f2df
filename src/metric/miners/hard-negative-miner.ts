import type { Random } from "../../random/index.js";
import type { Distance } from "../distances/distance.js";
import { LpDistance } from "../distances/lp-distance.js";
import type { Matrix } from "../matrix.js";
import {
  closestFirst,
  type Miner,
  type MiningStats,
  partners,
  prepareBatch,
  type RandomMinerOptions,
  TripletCollector,
} from "./miner.js";
import type { Triplets } from "./triplets.js";

export interface HardNegativeMinerOptions extends RandomMinerOptions {
  /** How many of the closest negatives to draw from (the paper's 5). */
  k?: number;
}

/**
 * The paper's hard negatives: for every ordered anchor-positive pair, a negative drawn
 * uniformly from the anchor's k closest non-positives by embedding distance (ties by index).
 * Drawing among k rather than taking the single closest softens the collapse that the hardest
 * negatives invite (README).
 */
export class HardNegativeMiner implements Miner {
  readonly distance: Distance;
  readonly k: number;
  private readonly random: Random;
  lastStats: MiningStats | null = null;

  constructor({ random, k = 5, distance = new LpDistance() }: HardNegativeMinerOptions) {
    if (!(Number.isInteger(k) && k >= 1))
      throw new RangeError(`k must be an integer ≥ 1, got ${k}`);
    this.random = random;
    this.k = k;
    this.distance = distance;
  }

  mine(embeddings: Matrix, labels: ArrayLike<number>): Triplets {
    const batch = prepareBatch(this.distance, embeddings, labels);
    const out = new TripletCollector(batch);
    for (let a = 0; a < batch.n; a++) {
      const { positives, negatives } = partners(batch, a);
      if (negatives.length === 0 || positives.length === 0) continue;
      const hardest = closestFirst(batch, a, negatives).slice(0, this.k);
      for (const p of positives) out.add(a, p, this.random.pick(hardest));
    }
    const { triplets, stats } = out.finish();
    this.lastStats = stats;
    return triplets;
  }
}
