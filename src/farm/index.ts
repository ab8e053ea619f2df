/**
 * The farm: tracing on many machines through a BullMQ queue on Redis. `startWorker` serves
 * chunks with a local sandbox pool; `traceOnFarm` enqueues a run's chunks and gathers the
 * results in input order. See README.md here.
 */
export {
  buildId,
  type Chunk,
  ChunkData,
  ChunkSettings,
  chunkId,
  DEFAULT_CHUNK_ROWS,
  decodeResult,
  encodeResult,
  planChunks,
  splitChunk,
} from "./chunks.js";
export {
  deadRow,
  type FarmProgress,
  type FarmSummary,
  type FarmTraceOptions,
  traceOnFarm,
} from "./coordinator.js";
export { ATTEMPTS, connectionOf, DEAD_KEY, MAX_STALLED, queueName, resultKey } from "./queue.js";
export { freePort, haveRedisServer, type RedisServer, startRedis } from "./redis-server.js";
export { type FarmWorker, startWorker, traceChunk, type WorkerOptions } from "./worker.js";
