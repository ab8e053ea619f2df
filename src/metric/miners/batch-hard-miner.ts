import type { Distance } from "../distances/distance.js";
import { LpDistance } from "../distances/lp-distance.js";
import type { Matrix } from "../matrix.js";
import {
  closestFirst,
  type Miner,
  type MinerOptions,
  type MiningStats,
  partners,
  prepareBatch,
  TripletCollector,
} from "./miner.js";
import type { Triplets } from "./triplets.js";

/**
 * Batch-hard (Hermans et al., "In Defense of the Triplet Loss"): one triplet per anchor that
 * has a positive and a negative — its farthest positive and its closest negative (ties by
 * lower index). Deterministic. The most collapse-prone miner (README).
 */
export class BatchHardMiner implements Miner {
  readonly distance: Distance;
  lastStats: MiningStats | null = null;

  constructor({ distance = new LpDistance() }: MinerOptions = {}) {
    this.distance = distance;
  }

  mine(embeddings: Matrix, labels: ArrayLike<number>): Triplets {
    const batch = prepareBatch(this.distance, embeddings, labels);
    const out = new TripletCollector(batch);
    for (let a = 0; a < batch.n; a++) {
      const { positives, negatives } = partners(batch, a);
      if (positives.length === 0 || negatives.length === 0) continue;
      // Strict ">" over index order keeps the lowest index among equally far positives.
      const farthest = positives.reduce((best, j) =>
        batch.dis[a * batch.n + j] > batch.dis[a * batch.n + best] ? j : best,
      );
      out.add(a, farthest, closestFirst(batch, a, negatives)[0]);
    }
    const { triplets, stats } = out.finish();
    this.lastStats = stats;
    return triplets;
  }
}
