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
 * What to do for a pair without a semi-hard negative: "random" takes a uniformly random
 * negative (the pair stays in the batch, the miner degrades to random mining); "skip" drops it.
 */
export type SemiHardFallback = "random" | "skip";

export interface SemiHardMinerOptions extends RandomMinerOptions {
  /** The loss's margin (the paper's 0.2); similarities use it on s, as the loss does. */
  margin?: number;
  fallback?: SemiHardFallback;
}

/**
 * Semi-hard negatives (FaceNet): for every ordered anchor-positive pair, a negative drawn
 * uniformly among those with d(a,p) < d(a,n) < d(a,p) + margin — farther than the positive,
 * yet inside the margin, so the triplet has a loss without pulling toward collapse.
 * For a similarity s the band is s(a,p) > s(a,n) > s(a,p) − margin.
 */
export class SemiHardMiner implements Miner {
  readonly distance: Distance;
  readonly margin: number;
  readonly fallback: SemiHardFallback;
  private readonly random: Random;
  lastStats: MiningStats | null = null;
  /** Pairs of the last batch that had no semi-hard negative. */
  lastFallbacks = 0;

  constructor({
    random,
    margin = 0.2,
    fallback = "random",
    distance = new LpDistance(),
  }: SemiHardMinerOptions) {
    this.random = random;
    this.margin = margin;
    this.fallback = fallback;
    this.distance = distance;
  }

  mine(embeddings: Matrix, labels: ArrayLike<number>): Triplets {
    const batch = prepareBatch(this.distance, embeddings, labels);
    const out = new TripletCollector(batch);
    this.lastFallbacks = 0;
    for (let a = 0; a < batch.n; a++) {
      const { positives, negatives } = partners(batch, a);
      if (negatives.length === 0) continue;
      const row = a * batch.n;
      for (const p of positives) {
        const dap = batch.dis[row + p];
        const band = negatives.filter((j) => {
          const dan = batch.dis[row + j];
          return dap < dan && dan < dap + this.margin;
        });
        if (band.length > 0) out.add(a, p, this.random.pick(band));
        else {
          this.lastFallbacks++;
          if (this.fallback === "random") out.add(a, p, this.random.pick(negatives));
        }
      }
    }
    const { triplets, stats } = out.finish();
    this.lastStats = stats;
    return triplets;
  }
}
