import type { Random } from "../../random/index.js";
import { type AnchorCandidates, BaseMiner, type Batch, type RandomMinerOptions } from "./miner.js";

/**
 * For every ordered anchor-positive pair (a ≠ p, same label), one negative drawn uniformly
 * from the items with another label. Embeddings only feed the statistics.
 */
export class RandomNegativeMiner extends BaseMiner {
  private readonly random: Random;

  constructor({ random, distance }: RandomMinerOptions) {
    super(distance);
    this.random = random;
  }

  protected selectTriplets(
    _batch: Batch,
    { positives, negatives }: AnchorCandidates,
    add: (positive: number, negative: number) => void,
  ): void {
    for (const p of positives) add(p, this.random.pick(negatives));
  }
}
