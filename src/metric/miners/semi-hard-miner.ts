import type { Random } from "../../random/index.js";
import type { Matrix } from "../matrix.js";
import { type AnchorCandidates, BaseMiner, type Batch, type RandomMinerOptions } from "./miner.js";
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
export class SemiHardMiner extends BaseMiner {
  readonly margin: number;
  readonly fallback: SemiHardFallback;
  private readonly random: Random;
  /** Pairs of the last batch that had no semi-hard negative. */
  lastFallbacks = 0;

  constructor({ random, margin = 0.2, fallback = "random", distance }: SemiHardMinerOptions) {
    super(distance);
    this.random = random;
    this.margin = margin;
    this.fallback = fallback;
  }

  override mine(embeddings: Matrix, labels: ArrayLike<number>): Triplets {
    this.lastFallbacks = 0;
    return super.mine(embeddings, labels);
  }

  protected selectTriplets(
    batch: Batch,
    { anchor, positives, negatives }: AnchorCandidates,
    add: (positive: number, negative: number) => void,
  ): void {
    const row = anchor * batch.n;
    for (const p of positives) {
      const dap = batch.dis[row + p];
      const band = negatives.filter((j) => {
        const dan = batch.dis[row + j];
        return dap < dan && dan < dap + this.margin;
      });
      if (band.length > 0) add(p, this.random.pick(band));
      else {
        this.lastFallbacks++;
        if (this.fallback === "random") add(p, this.random.pick(negatives));
      }
    }
  }
}
