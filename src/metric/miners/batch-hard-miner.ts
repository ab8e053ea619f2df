import {
  type AnchorCandidates,
  BaseMiner,
  type Batch,
  closestFirst,
  type MinerOptions,
} from "./miner.js";

/**
 * Batch-hard (Hermans et al., "In Defense of the Triplet Loss"): one triplet per anchor that
 * has a positive and a negative — its farthest positive and its closest negative (ties by
 * lower index). Deterministic. The most collapse-prone miner (README).
 */
export class BatchHardMiner extends BaseMiner {
  constructor({ distance }: MinerOptions = {}) {
    super(distance);
  }

  protected selectTriplets(
    batch: Batch,
    { anchor, positives, negatives }: AnchorCandidates,
    add: (positive: number, negative: number) => void,
  ): void {
    const row = anchor * batch.n;
    // Strict ">" over index order keeps the lowest index among equally far positives.
    const farthest = positives.reduce((best, j) =>
      batch.dis[row + j] > batch.dis[row + best] ? j : best,
    );
    add(farthest, closestFirst(batch, anchor, negatives)[0]);
  }
}
