/** Farm test scaffolding shared by the trace and the index farm tests. */
import { type ChildProcess, spawn } from "node:child_process";
import { Queue } from "bullmq";
import { expect } from "vitest";
import { connectionOf, queueName, startWorker } from "../../src/farm/index.js";
import type { TracerPool } from "../../src/python/index.js";
import { packagePath } from "../../src/python/pool.js";

/**
 * Starts a worker in its own process, waits until it has taken a chunk (it is still starting
 * its sandbox then) and kills it with SIGKILL: the chunk's lock (TEST_LOCK_MS) must expire for the run
 * to finish, which is what the killed-worker tests check.
 */
export async function killWorkerMidChunk(redisUrl: string): Promise<void> {
  const victim: ChildProcess = spawn(
    process.execPath,
    [
      packagePath("dist", "cli", "main.js"),
      "worker",
      "--redis",
      redisUrl,
      "--workers",
      "1",
      "--lock-ms",
      String(TEST_LOCK_MS),
    ],
    { stdio: "ignore" },
  );
  const queue = new Queue(queueName(), { connection: connectionOf(redisUrl) });
  try {
    let active = 0;
    for (let i = 0; i < 400 && active === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      active = (await queue.getJobCounts("active")).active ?? 0;
    }
    expect(active).toBeGreaterThan(0);
    victim.kill("SIGKILL");
    await new Promise((r) => victim.once("exit", r));
  } finally {
    await queue.close();
  }
}

/**
 * The lock of every test worker. BullMQ's check for stalled chunks runs at most once per
 * interval of the worker that last ran it (a key with that expiry), so one worker left at the
 * default 30 s made a later test's killed chunk wait out those 30 s before another worker
 * could take it.
 */
export const TEST_LOCK_MS = 2000;

/** A worker in this process that records the chunks it ran (not those it found finished). */
export function startRecordingWorker(redisUrl: string, pool: TracerPool) {
  const ran: string[] = [];
  const worker = startWorker({
    redis: redisUrl,
    pool,
    lockMs: TEST_LOCK_MS,
    onChunk: (e) => {
      if (!e.skipped) ran.push(e.chunk);
    },
  });
  return { worker, ran };
}
