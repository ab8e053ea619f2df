import type { Random } from "../../random/index.js";
import type { Distance } from "../distances/distance.js";
import { LpDistance } from "../distances/lp-distance.js";
import type { Matrix } from "../matrix.js";
import {
  type Miner,
  type MiningStats,
  partners,
  prepareBatch,
  type RandomMinerOptions,
  TripletCollector,
} from "./miner.js";
import type { Triplets } from "./triplets.js";

/**
 * For every ordered anchor-positive pair (a ≠ p, same label), one negative drawn uniformly
 * from the items with another label. Embeddings only feed the statistics.
 */
export class RandomNegativeMiner implements Miner {
  readonly distance: Distance;
  private readonly random: Random;
  lastStats: MiningStats | null = null;

  constructor({ random, distance = new LpDistance() }: RandomMinerOptions) {
    this.random = random;
    this.distance = distance;
  }

  mine(embeddings: Matrix, labels: ArrayLike<number>): Triplets {
    const batch = prepareBatch(this.distance, embeddings, labels);
    const out = new TripletCollector(batch);
    for (let a = 0; a < batch.n; a++) {
      const { positives, negatives } = partners(batch, a);
      if (negatives.length === 0) continue;
      for (const p of positives) out.add(a, p, this.random.pick(negatives));
    }
    const { triplets, stats } = out.finish();
    this.lastStats = stats;
    return triplets;
  }
}
