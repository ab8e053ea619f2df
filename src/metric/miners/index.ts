export { BatchHardMiner } from "./batch-hard-miner.js";
export { HardNegativeMiner, type HardNegativeMinerOptions } from "./hard-negative-miner.js";
export type { Miner, MinerOptions, MiningStats, RandomMinerOptions } from "./miner.js";
export { RandomNegativeMiner } from "./random-negative-miner.js";
export {
  type SemiHardFallback,
  SemiHardMiner,
  type SemiHardMinerOptions,
} from "./semi-hard-miner.js";
export { type Triplets, tripletsFrom } from "./triplets.js";
