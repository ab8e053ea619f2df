/**
 * A farm worker: takes chunks (of `trace` or of `index`) from the build's queue and runs them
 * through a local `TracerPool` (the same operating-system boundary and units of trust as a
 * local run), storing each chunk's result under its own key before the job completes. A worker
 * killed mid-chunk loses nothing: the chunk's lock expires and another worker takes it again.
 */
import { hostname } from "node:os";
import { UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { z } from "zod";
import type { FunctionRow, TraceRow } from "../data/index.js";
import { type PoolOptions, TracerPool, traceFunctions } from "../python/index.js";
import { buildId, type ExecResult, executeItems } from "../search/index.js";
import { initPython } from "../synth/index.js";
import { ChunkData, encodeResult } from "./chunks.js";
import { IndexChunkData, itemsOf } from "./index-chunks.js";
import {
  connectionOf,
  DISCONNECT_TIMEOUT_MS,
  MAX_STALLED,
  queueName,
  RESULT_TTL_S,
  resultKey,
} from "./queue.js";

export interface WorkerOptions {
  redis: string;
  /** Chunks in progress at once (default 2: the next one starts while one finishes). */
  concurrency?: number;
  /** Sandbox processes of this worker's pool (default 2). */
  workers?: number;
  /**
   * How long a chunk stays locked without its worker renewing the lock (default 30 s): a worker
   * killed mid-chunk gives the chunk back after this long.
   */
  lockMs?: number;
  poolOptions?: Omit<PoolOptions, "workers">;
  /** Use this pool instead of starting one (it is not closed with the worker). */
  pool?: TracerPool;
  /** Runs a chunk's rows; tests replace it. Default: `traceFunctions` on this worker's pool. */
  run?: (rows: FunctionRow[], data: ChunkData, pool: TracerPool) => Promise<TraceRow[]>;
  /** Runs an index chunk; tests replace it. Default: `executeItems` on this worker's pool. */
  runIndex?: (data: IndexChunkData, pool: TracerPool) => Promise<ExecResult[]>;
  /** Called after each chunk this worker finished. */
  onChunk?: (event: { chunk: string; rows: number; skipped: boolean }) => void;
  /** Called when a chunk failed here (it is retried, or given up on after its attempts). */
  onFailure?: (event: { chunk: string; error: string }) => void;
}

export interface FarmWorker {
  /** Resolves when the worker stops: after `close()`, or rejects when its sandbox cannot start. */
  done: Promise<void>;
  /**
   * Finishes the chunks in progress, then stops. With none in progress it stops at once, without
   * waiting for Redis (a server that is away does not hold it up).
   */
  close(): Promise<void>;
  /** Chunks this worker has taken and not yet completed or failed. */
  inProgress(): number;
  name: string;
  queue: string;
}

/** The default index runner: the chunk's functions through the index's own execution. */
export async function indexChunk(
  data: IndexChunkData,
  pool: TracerPool,
  prefix: string,
): Promise<ExecResult[]> {
  // Doctest checks read the module's syntax tree.
  await initPython();
  const results = await executeItems(itemsOf(data), data.settings, pool, `${prefix}/`);
  // The index keeps a function's inputs and outputs, not its blocks and values: they would only
  // fill Redis until the index is written.
  return results.map((r) => ({
    ...r,
    trace: { ...r.trace, runs: r.trace.runs.map((run) => ({ ...run, blocks: [], values: [] })) },
  }));
}

/** The default runner: the chunk's rows through `traceFunctions`, units as the chunk says. */
export function traceChunk(
  rows: FunctionRow[],
  data: ChunkData,
  pool: TracerPool,
  prefix: string,
): Promise<TraceRow[]> {
  const s = data.settings;
  return traceFunctions(rows, {
    pool,
    inputs: s.inputs,
    range: s.range,
    seed: s.seed,
    maxSteps: s.maxSteps,
    timeoutMs: s.timeoutMs,
    level: s.level,
    // Unit names are scoped by the chunk: chunks share this worker's pool.
    unitOf: (_row, i) => `${prefix}/${data.rows[i].unit}`,
  });
}

export function startWorker(options: WorkerOptions): FarmWorker {
  const connection = connectionOf(options.redis);
  const redis = new Redis(options.redis, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(200 * times, 2000),
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
  });
  redis.on("error", () => {
    // reconnecting: commands wait for the server
  });
  const pool =
    options.pool ?? new TracerPool({ ...options.poolOptions, workers: options.workers ?? 2 });
  const build = buildId();
  const name = `${hostname()}:${process.pid}`;
  const lockMs = options.lockMs ?? 30_000;
  let fatal: Error | undefined;
  let finish: () => void = () => {};
  let fail: (e: Error) => void = () => {};
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });

  /** Checks a job's data and runs it; one entry per kind of chunk. */
  const kinds: Record<
    string,
    (chunk: string, data: unknown, prefix: string) => Promise<unknown[]>
  > = {
    trace: async (chunk, raw, prefix) => {
      const data = checked(ChunkData, chunk, raw);
      const rows = data.rows.map(
        (r) =>
          ({
            id: r.id,
            group: r.unit,
            code: r.code,
            transforms: [],
            split: "train",
            seed: 0,
            entry: r.entry,
            args: r.args,
            ...(r.module !== undefined ? { module: r.module } : {}),
          }) as FunctionRow,
      );
      const traced = await serving(() =>
        options.run ? options.run(rows, data, pool) : traceChunk(rows, data, pool, prefix),
      );
      if (traced.length !== rows.length || traced.some((t, i) => t.id !== rows[i].id)) {
        throw new Error(`chunk ${chunk}: the runner returned rows that do not match the chunk`);
      }
      return traced;
    },
    index: async (chunk, raw, prefix) => {
      const data = checked(IndexChunkData, chunk, raw);
      const results = await serving(() =>
        options.runIndex ? options.runIndex(data, pool) : indexChunk(data, pool, prefix),
      );
      if (results.length !== data.rows.length) {
        throw new Error(`chunk ${chunk}: the runner returned ${results.length} results`);
      }
      return results;
    },
  };
  /** Runs a chunk; a throw of the default runner means this machine cannot serve. */
  const serving = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (e) {
      // The runners throw only when the sandbox cannot run at all: give the chunk back (it is
      // retried elsewhere) and stop taking new ones.
      if (!options.run && !options.runIndex) {
        fatal ??= e as Error;
        setImmediate(() => {
          void stop();
        });
      }
      throw e;
    }
  };
  const checked = <T>(schema: z.ZodType<T>, chunk: string, raw: unknown): T => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UnrecoverableError(
        `chunk ${chunk}: malformed job data (${issue.message} at ${issue.path.join(".")})`,
      );
    }
    const build_ = (parsed.data as { build: string }).build;
    if (build_ !== build) {
      throw new UnrecoverableError(`chunk ${chunk} is for build ${build_}, not ${build}`);
    }
    return parsed.data;
  };

  const worker = new Worker(
    queueName(build),
    async (job) => {
      const chunk = job.id ?? "";
      const kind = kinds[job.name];
      if (!kind) throw new UnrecoverableError(`chunk ${chunk}: unknown kind of job ${job.name}`);
      const rowsOf = (job.data as { rows?: unknown[] })?.rows?.length ?? 0;
      const key = resultKey(chunk);
      // Finished already (a rerun, or the job came back after its worker died at the very end).
      if ((await redis.exists(key)) === 1) {
        options.onChunk?.({ chunk, rows: rowsOf, skipped: true });
        return { rows: rowsOf, skipped: true };
      }
      const results = await kind(chunk, job.data, `${chunk}:${job.attemptsStarted}`);
      await redis.set(key, encodeResult(results), "EX", RESULT_TTL_S);
      options.onChunk?.({ chunk, rows: results.length, skipped: false });
      return { rows: results.length, skipped: false };
    },
    {
      connection,
      concurrency: options.concurrency ?? 2,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      maxStalledCount: MAX_STALLED,
      name,
    },
  );
  // A chunk is in progress from the moment it is taken (moved to active) until BullMQ has
  // recorded it completed or failed: stopping then waits for it, stopping otherwise need not.
  const taken = new Set<string>();
  worker.on("active", (job) => {
    if (job.id) taken.add(job.id);
  });
  worker.on("completed", (job) => {
    if (job.id) taken.delete(job.id);
  });
  worker.on("failed", (job, error) => {
    if (job?.id) taken.delete(job.id);
    options.onFailure?.({ chunk: job?.id ?? "?", error: error.message });
  });
  worker.on("error", () => {
    // Connection errors: ioredis reconnects, and BullMQ resumes once it has.
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      try {
        // Idle: close without waiting for Redis (a graceful close waits for its commands,
        // which wait through a reconnection for as long as the server is away). Nothing is
        // lost: a chunk this worker took is in `taken` until BullMQ has recorded its end.
        await worker.close(taken.size === 0);
      } finally {
        if (!options.pool) await pool.close();
        redis.disconnect();
        if (fatal) fail(fatal);
        else finish();
      }
    })();
    return stopping;
  };
  return {
    done,
    close: async () => {
      await stop();
      await done.catch(() => {});
    },
    inProgress: () => taken.size,
    name,
    queue: queueName(build),
  };
}
