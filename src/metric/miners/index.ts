export { BatchHardMiner } from "./batch-hard-miner.js";
export { HardNegativeMiner, type HardNegativeMinerOptions } from "./hard-negative-miner.js";
export {
  type AnchorCandidates,
  BaseMiner,
  type Batch,
  type Miner,
  type MinerOptions,
  type MiningStats,
  type RandomMinerOptions,
} from "./miner.js";
export { RandomNegativeMiner } from "./random-negative-miner.js";
export {
  type SemiHardFallback,
  SemiHardMiner,
  type SemiHardMinerOptions,
} from "./semi-hard-miner.js";
export { type Triplets, tripletsFrom } from "./triplets.js";
