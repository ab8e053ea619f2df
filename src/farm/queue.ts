/**
 * Names and connection settings shared by workers and coordinators: the queue (one per build),
 * the keys holding results and dead letters, and the retry policy.
 */
import { type ConnectionOptions, type JobsOptions, Queue } from "bullmq";
import type { Redis } from "ioredis";
import { buildId } from "../search/index.js";
import { parseRedisUrl, redisDb } from "./url.js";

/** Every key the farm writes outside BullMQ's own starts with this. */
export const KEY_PREFIX = "tracecode";

/** The queue of trace chunks for this build: workers of another build never see its jobs. */
export const queueName = (build = buildId()) => `${KEY_PREFIX}-trace-${build}`;

/** Where a finished chunk's result lives (gzipped JSONL), written by the worker that ran it. */
export const resultKey = (chunk: string) => `${KEY_PREFIX}:result:${chunk}`;

/** The dead-letter hash: chunk id → {reason, rows, at} for every chunk given up on. */
export const DEAD_KEY = `${KEY_PREFIX}:dead`;

/** Results expire a week after they are written, in case no coordinator ever collects them. */
export const RESULT_TTL_S = 7 * 24 * 3600;

/** Attempts of a chunk whose processing throws (e.g. a worker whose sandbox cannot start). */
export const ATTEMPTS = 3;

/** How often a chunk may lose its worker (lock expired) before it is given up on. */
export const MAX_STALLED = 2;

export const JOB_OPTIONS: JobsOptions = {
  attempts: ATTEMPTS,
  backoff: { type: "exponential", delay: 1000 },
  // The result is in our own key: the job itself can go. Failed jobs stay (the dead letters).
  removeOnComplete: true,
  removeOnFail: false,
};

/**
 * Connection settings from a `redis://` URL: commands wait through a restart of the server
 * (BullMQ's workers need `maxRetriesPerRequest: null`), reconnecting every 0.2–2 s. A URL that is
 * not `redis://` or `rediss://` throws `RedisUrlError`. Whether a server answers at all is
 * `checkRedis`'s question (connect.ts), asked before these clients start waiting.
 */
export function connectionOf(url: string): ConnectionOptions {
  parseRedisUrl(url);
  return {
    url,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times: number) => Math.min(200 * times, 2000),
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
  };
}

/**
 * The workers serving `queue` on database `db`. BullMQ's own count reads CLIENT LIST, which
 * lists the clients of every database: a worker serving the same queue name on another database
 * of the server (`redis://HOST:PORT/5`) would be counted, though it never sees this one's jobs.
 * Each line carries the client's `db=N`; a line without one (a server that hides it) counts.
 */
export async function workersOnDb(queue: Queue, db: number): Promise<number> {
  const workers = (await queue.getWorkers()) as { db?: string }[];
  return workers.filter((w) => w.db === undefined || w.db === String(db)).length;
}

/**
 * How long a disconnecting client waits for its socket to close before destroying it (ioredis:
 * 2 s). A client disconnected while the server is away waits for a socket that closed already,
 * so this is how long a stopped worker lingers then.
 */
export const DISCONNECT_TIMEOUT_MS = 200;

/**
 * Removes the queues of other builds that are idle: nothing waiting, running or delayed, and no
 * worker serving them. A rebuild moves coordinators and workers to a new queue (its name carries
 * the build), so the old one's keys (failed jobs, events, counters) would stay in Redis for good.
 * A queue with work or a worker is left alone: another build may be farming on this server.
 * Returns the names removed.
 */
export async function removeIdleOldQueues(
  redis: Redis,
  connection: ConnectionOptions,
  current = queueName(),
): Promise<string[]> {
  const names = new Set<string>();
  const db = redisDb((connection as { url: string }).url);
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(
      cursor,
      "MATCH",
      `bull:${KEY_PREFIX}-trace-*:meta`,
      "COUNT",
      1000,
    );
    cursor = next;
    for (const k of keys) names.add(k.slice("bull:".length, -":meta".length));
  } while (cursor !== "0");
  names.delete(current);
  const removed: string[] = [];
  for (const name of [...names].sort()) {
    const queue = new Queue(name, { connection });
    queue.on("error", () => {});
    try {
      const counts = await queue.getJobCounts(
        "waiting",
        "active",
        "delayed",
        "prioritized",
        "waiting-children",
      );
      const busy = Object.values(counts).some((n) => n > 0);
      if (!busy && (await workersOnDb(queue, db)) === 0) {
        await queue.obliterate({ force: true });
        removed.push(name);
      }
    } finally {
      await queue.close();
    }
  }
  return removed;
}
