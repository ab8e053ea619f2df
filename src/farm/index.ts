/**
 * The farm: tracing and indexing on many machines through a BullMQ queue on Redis.
 * `startWorker` serves chunks of both kinds with a local sandbox pool; `traceOnFarm` enqueues a
 * trace's chunks and gathers the results in input order; `farmExecutor` runs an index's
 * execution the same way. See README.md here.
 */
export {
  type Chunk,
  ChunkData,
  ChunkSettings,
  chunkId,
  DEFAULT_CHUNK_ROWS,
  DEFAULT_INDEX_CHUNK,
  decodeResult,
  encodeResult,
  packUnits,
  planChunks,
  splitChunk,
} from "./chunks.js";
export {
  type CheckRedisOptions,
  checkRedis,
  displayRedisUrl,
  parseRedisUrl,
  RedisUnreachableError,
  RedisUrlError,
} from "./connect.js";
export {
  type DeadLetter,
  deadRow,
  type FarmProgress,
  type FarmRun,
  type FarmRunOptions,
  type FarmSummary,
  type FarmTraceOptions,
  resultsInOrder,
  runOnFarm,
  traceOnFarm,
} from "./coordinator.js";
export {
  decodeIndexResult,
  IndexChunkData,
  itemId,
  itemsOf,
  planIndexChunks,
} from "./index-chunks.js";
export { type FarmIndexOptions, farmExecutor } from "./index-farm.js";
export { ATTEMPTS, connectionOf, DEAD_KEY, MAX_STALLED, queueName, resultKey } from "./queue.js";
export { freePort, haveRedisServer, type RedisServer, startRedis } from "./redis-server.js";
export {
  type FarmWorker,
  indexChunk,
  startWorker,
  traceChunk,
  type WorkerOptions,
} from "./worker.js";
