import type { Random } from "../../random/index.js";
import {
  type AnchorCandidates,
  BaseMiner,
  type Batch,
  closestFirst,
  type RandomMinerOptions,
} from "./miner.js";

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
export class HardNegativeMiner extends BaseMiner {
  readonly k: number;
  private readonly random: Random;

  constructor({ random, k = 5, distance }: HardNegativeMinerOptions) {
    if (!(Number.isInteger(k) && k >= 1))
      throw new RangeError(`k must be an integer ≥ 1, got ${k}`);
    super(distance);
    this.random = random;
    this.k = k;
  }

  protected selectTriplets(
    batch: Batch,
    { anchor, positives, negatives }: AnchorCandidates,
    add: (positive: number, negative: number) => void,
  ): void {
    const hardest = closestFirst(batch, anchor, negatives).slice(0, this.k);
    for (const p of positives) add(p, this.random.pick(hardest));
  }
}
