/**
 * The coordinator: `tracecode trace … --redis URL`. It cuts the rows into chunks (units of trust
 * whole), enqueues every chunk not finished yet under its content hash, follows the workers'
 * progress, narrows a chunk that keeps failing down to its units and gives a unit up (the
 * dead-letter hash, its rows get status `limit` with the reason), and finally writes every row
 * in input order, byte for byte what a local run writes. Stopping it loses nothing: the chunks
 * stay queued, the results stay in Redis, and a rerun of the same command picks them up.
 */
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { FunctionRow, TraceRow } from "../data/index.js";
import {
  type Chunk,
  type ChunkBase,
  type ChunkSettings,
  DEFAULT_CHUNK_ROWS,
  decodeResult,
  planChunks,
  splitChunk,
} from "./chunks.js";
import { checkRedis } from "./connect.js";
import {
  connectionOf,
  DEAD_KEY,
  JOB_OPTIONS,
  queueName,
  removeIdleOldQueues,
  resultKey,
  workersOnDb,
} from "./queue.js";
import { redisDb } from "./url.js";

export interface FarmProgress {
  /** Rows whose chunk is finished (or given up on), of all rows. */
  done: number;
  total: number;
  /** Chunks waiting, running, finished and given up on, across every worker. */
  waiting: number;
  active: number;
  finished: number;
  dead: number;
  /** Workers connected to the queue (on the URL's database). */
  workers: number;
  /**
   * Whether a worker has been seen at this run's queue: connected, running a chunk, or having
   * finished or failed one of this run's since it began. False: nothing of the run has run yet.
   */
  started: boolean;
}

export interface FarmTraceOptions {
  redis: string;
  settings: ChunkSettings;
  /** The unit of trust of each row (default: every row alone). */
  unitOf?: (row: FunctionRow, index: number) => string;
  chunkRows?: number;
  /** How often the coordinator looks at the farm (default 500 ms). */
  pollMs?: number;
  /** Leave the results in Redis after writing them (default: they are deleted). */
  keep?: boolean;
  /** Try again the chunks given up on before (their dead letters and failed jobs are removed). */
  retryDead?: boolean;
  /** Attempts per chunk and the first retry's delay (default 3 and 1000 ms, doubling). */
  retry?: { attempts: number; backoffMs: number };
  /** Receives every row's JSONL line, in input order, once all are finished. */
  write: (line: string, row: TraceRow) => void | Promise<void>;
  onProgress?: (p: FarmProgress) => void;
  /**
   * Called once when no worker has been connected to the queue for `noWorkerMs` (default 15 s)
   * while chunks wait: typically none was started, or they run another build.
   */
  onNoWorkers?: (queue: string) => void;
  noWorkerMs?: number;
  /** The connection to Redis was lost (true; the run waits for it) or is back (false). */
  onRedisAway?: (away: boolean) => void;
}

export interface FarmSummary {
  rows: number;
  chunks: number;
  /** Chunks whose result was in Redis already when the run started (a rerun's savings). */
  reused: number;
  /** Chunks narrowed down to their units after failing. */
  split: number;
  /** Units given up on (in the dead-letter hash); their rows have status `limit`. */
  dead: number;
  /** Most workers seen connected at once. */
  workers: number;
  /** Idle queues of other builds removed before the run (`removeIdleOldQueues`). */
  oldQueues: number;
}

export interface DeadLetter {
  reason: string;
  rows: string[];
  at: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The row written for a row whose unit was given up on. */
export function deadRow(id: string, level: ChunkSettings["level"], reason: string): TraceRow {
  return {
    id,
    status: "limit",
    error: `the farm gave this snippet up: ${reason}`,
    level,
    traceClass: null,
    ioClass: null,
    runs: [],
  };
}

/** What following a farm run needs besides its chunks (shared by every kind of chunk). */
export interface FarmRunOptions {
  redis: string;
  /** The job kind the workers dispatch on (`trace`, `index`). */
  jobName: string;
  pollMs?: number;
  retryDead?: boolean;
  retry?: { attempts: number; backoffMs: number };
  onProgress?: (p: FarmProgress) => void;
  onNoWorkers?: (queue: string) => void;
  noWorkerMs?: number;
  /** The connection to Redis was lost (true; the run waits for it) or is back (false). */
  onRedisAway?: (away: boolean) => void;
}

/** A finished farm run: the chunks whose results make up the output, and those given up. */
export interface FarmRun<D extends ChunkBase> {
  summary: FarmSummary;
  /** The chunks whose results make up the output (a split chunk is replaced by its parts). */
  final: Chunk<D>[];
  dead: ReadonlyMap<string, DeadLetter>;
  redis: Redis;
  /** Deletes the results of `final` from Redis. */
  deleteResults(): Promise<void>;
  close(): Promise<void>;
}

export async function traceOnFarm(
  rows: readonly FunctionRow[],
  options: FarmTraceOptions,
): Promise<FarmSummary> {
  const unitOf = options.unitOf ?? ((_row: FunctionRow, i: number) => `row:${i}`);
  const plan = planChunks(rows, unitOf, options.settings, options.chunkRows ?? DEFAULT_CHUNK_ROWS);
  const run = await runOnFarm(plan, rows.length, { ...options, jobName: "trace" });
  try {
    const level = options.settings.level;
    for await (const r of resultsInOrder(run, rows.length, async (chunk, letter) => {
      if (letter) {
        const dead = chunk.data.rows.map((row) => deadRow(row.id, level, letter.reason));
        return dead.map((row) => ({ line: JSON.stringify(row), row }));
      }
      const { lines, rows: traced } = decodeResult(chunk, await storedResult(run.redis, chunk.id));
      return lines.map((line, k) => ({ line, row: traced[k] }));
    })) {
      await options.write(r.line, r.row);
    }
    if (!options.keep) await run.deleteResults();
    return run.summary;
  } finally {
    await run.close();
  }
}

/**
 * Enqueues every chunk not finished yet under its content hash and follows the workers until
 * each is finished or given up: a chunk that fails is narrowed to its units, a unit that fails
 * goes to the dead-letter hash. The caller reads the results (`resultsInOrder`) and closes.
 */
export async function runOnFarm<D extends ChunkBase>(
  plan: Chunk<D>[],
  total: number,
  options: FarmRunOptions,
): Promise<FarmRun<D>> {
  const connection = connectionOf(options.redis);
  const db = redisDb(options.redis);
  // Once connected, the clients wait through a restart of the server; a server that is not
  // there at all is an error now, not an endless wait.
  await checkRedis(options.redis);
  const queue = new Queue(queueName(), { connection });
  const redis = new Redis(options.redis, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  });
  // While the server is away (a restart) commands wait and the clients reconnect: the errors
  // they emit meanwhile are expected.
  redis.on("error", () => {});
  queue.on("error", () => {});
  // Said once per outage, so a coordinator that seems stuck says why.
  let away = false;
  redis.on("close", () => {
    if (away || closing) return;
    away = true;
    options.onRedisAway?.(true);
  });
  redis.on("ready", () => {
    if (!away) return;
    away = false;
    options.onRedisAway?.(false);
  });
  let closing = false;
  const close = async () => {
    closing = true;
    await queue.close();
    redis.disconnect();
  };
  const pollMs = options.pollMs ?? 500;
  const jobOptions = options.retry
    ? {
        ...JOB_OPTIONS,
        attempts: options.retry.attempts,
        backoff: { type: "exponential", delay: options.retry.backoffMs },
      }
    : JOB_OPTIONS;
  const summary: FarmSummary = {
    rows: total,
    chunks: plan.length,
    reused: 0,
    split: 0,
    dead: 0,
    workers: 0,
    oldQueues: 0,
  };
  const final: Chunk<D>[] = [];
  const deadOf = new Map<string, DeadLetter>();
  const pending = new Map<string, Chunk<D>>();
  let done = 0;
  try {
    await queue.waitUntilReady();
    summary.oldQueues = (await removeIdleOldQueues(redis, connection)).length;
    const enqueue = async (chunks: Chunk<D>[]) => {
      if (chunks.length === 0) return;
      if (options.retryDead) {
        for (const c of chunks) {
          if ((await queue.getJobState(c.id)) === "failed") await queue.remove(c.id);
        }
        await redis.hdel(DEAD_KEY, ...chunks.map((c) => c.id));
      }
      const present = await existing(
        redis,
        chunks.map((c) => c.id),
      );
      const dead = await redis.hmget(DEAD_KEY, ...chunks.map((c) => c.id));
      const toAdd: Chunk<D>[] = [];
      chunks.forEach((c, i) => {
        final.push(c);
        if (present[i]) {
          summary.reused++;
          done += c.index.length;
        } else if (dead[i] !== null) {
          deadOf.set(c.id, JSON.parse(dead[i]!) as DeadLetter);
          summary.dead++;
          done += c.index.length;
        } else {
          pending.set(c.id, c);
          toAdd.push(c);
        }
      });
      // Adding an id that is queued, running or failed is a no-op: a rerun never duplicates.
      for (let i = 0; i < toAdd.length; i += 1000) {
        await queue.addBulk(
          toAdd.slice(i, i + 1000).map((c) => ({
            name: options.jobName,
            data: c.data,
            opts: { ...jobOptions, jobId: c.id },
          })),
        );
      }
    };
    await enqueue(plan);

    let polls = 0;
    let lastDone = -1;
    let lastWorkerSeen = performance.now();
    let warned = false;
    // Whether a worker has shown itself; said at once when it has (not 4 polls later), so a
    // Ctrl-C right after does not say that nothing ran.
    let started = false;
    let startedSaid = false;
    while (pending.size > 0) {
      const ids = [...pending.keys()];
      const present = await existing(redis, ids);
      ids.forEach((id, i) => {
        if (!present[i]) return;
        started = true;
        done += pending.get(id)!.index.length;
        pending.delete(id);
      });
      // Failed chunks: looked for when nothing finished in a poll, and every 10 polls.
      if (pending.size > 0 && (done === lastDone || polls % 10 === 0)) {
        const failed: Chunk<D>[] = [];
        for (const [id, chunk] of pending) {
          const state = await queue.getJobState(id);
          if (state === "failed") failed.push(chunk);
          else if (state === "unknown" && (await redis.exists(resultKey(id))) === 0) {
            // Gone from the queue without a result (deleted by hand, or a server that lost
            // it): enqueue it again.
            await queue.add(options.jobName, chunk.data, { ...jobOptions, jobId: id });
          }
        }
        for (const chunk of failed) {
          started = true;
          pending.delete(chunk.id);
          const job = await queue.getJob(chunk.id);
          const reason = (job?.failedReason ?? "failed").slice(0, 500);
          if (chunk.units > 1) {
            // One of its units keeps failing: run each unit alone to find which.
            final.splice(final.indexOf(chunk), 1);
            summary.split++;
            await enqueue(splitChunk(chunk));
          } else {
            const letter: DeadLetter = {
              reason,
              rows: chunk.data.rows.map((r) => r.id),
              at: new Date().toISOString(),
            };
            await redis.hsetnx(DEAD_KEY, chunk.id, JSON.stringify(letter));
            const stored = await redis.hget(DEAD_KEY, chunk.id);
            deadOf.set(chunk.id, stored ? (JSON.parse(stored) as DeadLetter) : letter);
            summary.dead++;
            done += chunk.index.length;
          }
        }
      }
      lastDone = done;
      if (polls % 4 === 0 || pending.size === 0 || (started && !startedSaid)) {
        const counts = await queue.getJobCounts("waiting", "active", "failed");
        const workers = await workersOnDb(queue, db);
        summary.workers = Math.max(summary.workers, workers);
        if (workers > 0 || (counts.active ?? 0) > 0) started = true;
        if (workers > 0) lastWorkerSeen = performance.now();
        else if (!warned && performance.now() - lastWorkerSeen > (options.noWorkerMs ?? 15_000)) {
          warned = true;
          options.onNoWorkers?.(queueName());
        }
        startedSaid = started;
        options.onProgress?.({
          done,
          total,
          waiting: counts.waiting ?? 0,
          active: counts.active ?? 0,
          finished: final.length - pending.size - deadOf.size,
          dead: deadOf.size,
          workers,
          started,
        });
      }
      polls++;
      if (pending.size > 0) await sleep(pollMs);
    }
  } catch (e) {
    await close();
    throw e;
  }
  return {
    summary,
    final,
    dead: deadOf,
    redis,
    deleteResults: async () => {
      for (let i = 0; i < final.length; i += 1000) {
        await redis.del(...final.slice(i, i + 1000).map((c) => resultKey(c.id)));
      }
    },
    close,
  };
}

/** Which of these chunks have a result stored. */
async function existing(redis: Redis, ids: readonly string[]): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let i = 0; i < ids.length; i += 5000) {
    const p = redis.pipeline();
    for (const id of ids.slice(i, i + 5000)) p.exists(resultKey(id));
    const r = (await p.exec()) ?? [];
    for (const [error, n] of r) {
      if (error) throw error;
      out.push(n === 1);
    }
  }
  return out;
}

/** A finished chunk's stored result; throws when it is gone. */
export async function storedResult(redis: Redis, chunk: string): Promise<Buffer> {
  const stored = await redis.getBuffer(resultKey(chunk));
  if (!stored) {
    throw new Error(
      `the result of chunk ${chunk} vanished from Redis before it was written; run the command again`,
    );
  }
  return stored;
}

/**
 * Every input row's result, in input order. A chunk is loaded (`load`: its stored result
 * decoded and checked, or the rows of a dead letter) when its first row is due and dropped after
 * its last, so memory holds only the chunks that interleave.
 */
export async function* resultsInOrder<D extends ChunkBase, R>(
  run: FarmRun<D>,
  total: number,
  load: (chunk: Chunk<D>, letter: DeadLetter | undefined) => Promise<R[]>,
): AsyncGenerator<R> {
  const slot = new Array<{ chunk: Chunk<D>; k: number }>(total);
  for (const chunk of run.final) {
    chunk.index.forEach((i, k) => {
      slot[i] = { chunk, k };
    });
  }
  const loaded = new Map<string, { rows: R[]; left: number }>();
  for (let i = 0; i < total; i++) {
    const { chunk, k } = slot[i];
    let entry = loaded.get(chunk.id);
    if (!entry) {
      entry = { rows: await load(chunk, run.dead.get(chunk.id)), left: chunk.index.length };
      loaded.set(chunk.id, entry);
    }
    yield entry.rows[k];
    if (--entry.left === 0) loaded.delete(chunk.id);
  }
}
