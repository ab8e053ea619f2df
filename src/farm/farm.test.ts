import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killWorkerMidChunk, startRecordingWorker, TEST_LOCK_MS } from "../../test/helpers/farm.js";
import { FunctionRow, type TraceRow } from "../data/index.js";
import { TracerPool, traceFunctions } from "../python/index.js";
import {
  type ChunkSettings,
  connectionOf,
  DEAD_KEY,
  haveRedisServer,
  planChunks,
  queueName,
  type RedisServer,
  startRedis,
  startWorker,
  traceChunk,
  traceOnFarm,
} from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "tracecode-farm-"));
let redis: RedisServer;
let pool: TracerPool;

const settings: ChunkSettings = {
  inputs: 12,
  range: { min: -20, max: 20 },
  seed: 3,
  maxSteps: 1_000_000,
  timeoutMs: 10_000,
  level: "trace",
};

/** Groups of variants, interleaved so a group's rows are not contiguous in the file. */
function rows(tag: string, groups: number, variants: number): FunctionRow[] {
  const out: FunctionRow[] = [];
  for (let v = 0; v < variants; v++) {
    for (let g = 0; g < groups; g++) {
      const body =
        v % 2 ? `    t = x * ${g + 2}\n    return t - ${v}\n` : `    return x * ${g + 2} - ${v}\n`;
      out.push(
        FunctionRow.parse({
          id: `${tag}-${g}/v${v}`,
          group: `${tag}-${g}`,
          code: `def f(x):\n${body}`,
        }),
      );
    }
  }
  return out;
}
const byGroup = (row: FunctionRow) => `group:${row.group}`;

async function local(input: FunctionRow[]): Promise<string[]> {
  const traced = await traceFunctions(input, { ...settings, pool, unitOf: byGroup });
  return traced.map((t) => JSON.stringify(t));
}

async function farm(input: FunctionRow[], extra: Partial<Parameters<typeof traceOnFarm>[1]> = {}) {
  const lines: string[] = [];
  const traced: TraceRow[] = [];
  const summary = await traceOnFarm(input, {
    redis: redis.url,
    settings,
    unitOf: byGroup,
    chunkRows: 8,
    pollMs: 100,
    write: (line, row) => {
      lines.push(line);
      traced.push(row);
    },
    ...extra,
  });
  return { lines, traced, summary };
}

beforeAll(async () => {
  if (!haveRedisServer()) {
    throw new Error("the farm tests need redis-server on the PATH: apt-get install redis-server");
  }
  redis = await startRedis(dir);
  pool = new TracerPool({ workers: 2 });
});

afterAll(async () => {
  await pool?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("trace farm", () => {
  it("writes what a local run writes, enqueues idempotently, and a rerun runs nothing", async () => {
    const input = rows("same", 5, 4);
    const expected = await local(input);
    const chunks = planChunks(input, byGroup, settings, 8);
    // Two coordinators enqueue the same chunks before any worker runs: one job per chunk.
    const enqueued: Promise<void>[] = [];
    const [a, b] = [0, 1].map(() => {
      let seen: () => void = () => {};
      enqueued.push(new Promise<void>((r) => (seen = r)));
      return farm(input, { keep: true, onProgress: () => seen() });
    });
    await Promise.all(enqueued);
    const queue = new Queue(queueName(), { connection: connectionOf(redis.url) });
    expect(await queue.getJobCounts("waiting", "active")).toEqual({
      waiting: chunks.length,
      active: 0,
    });
    await queue.close();
    const { worker, ran } = startRecordingWorker(redis.url, pool);
    try {
      const [ra, rb] = await Promise.all([a, b]);
      expect(ra.lines).toEqual(expected);
      expect(rb.lines).toEqual(expected);
      expect(ran.sort()).toEqual(chunks.map((c) => c.id).sort());
      // A rerun finds every chunk finished and runs none.
      const again = await farm(input);
      expect(again.summary.reused).toBe(chunks.length);
      expect(again.lines).toEqual(expected);
      expect(ran).toHaveLength(chunks.length);
    } finally {
      await worker.close();
    }
  });

  it("removes the idle queues of older builds, never one with work waiting or a worker", async () => {
    const connection = connectionOf(redis.url);
    const [idle, waiting, served] = ["0000000000a1", "0000000000a2", "0000000000a3"].map((b) =>
      queueName(b),
    );
    // What an older build leaves: a queue's keys with nothing left to do.
    const old = new Queue(idle, { connection });
    await old.add("trace", { rows: [] }, { jobId: "done" });
    await old.remove("done");
    await old.close();
    const other = new Queue(waiting, { connection });
    await other.add("trace", { rows: [] }, { jobId: "queued" });
    await other.close();
    const worker = new Worker(served, async () => {}, { connection });
    await worker.waitUntilReady();
    const client = new Redis(redis.url);
    const queuesInRedis = async () =>
      (await client.keys("bull:tracecode-trace-0000000000a*:meta")).sort();
    try {
      expect(await queuesInRedis()).toEqual([
        `bull:${idle}:meta`,
        `bull:${waiting}:meta`,
        `bull:${served}:meta`,
      ]);
      const current = startRecordingWorker(redis.url, pool);
      try {
        const { summary } = await farm(rows("old", 1, 1));
        expect(summary.oldQueues).toBe(1);
      } finally {
        await current.worker.close();
      }
      expect(await queuesInRedis()).toEqual([`bull:${waiting}:meta`, `bull:${served}:meta`]);
      expect(await client.keys(`bull:${idle}:*`)).toEqual([]);
    } finally {
      await worker.close();
      client.disconnect();
    }
  });

  it("counts only the workers on its own database, and says when no worker has started", async () => {
    // A worker of this build's queue on database 5 of the same server: it never sees the
    // jobs of database 0, so a coordinator there has no worker.
    const elsewhere = new Worker(queueName(), async () => {}, {
      connection: connectionOf(`${redis.url}/5`),
    });
    await elsewhere.waitUntilReady();
    const progress: { workers: number; started: boolean }[] = [];
    let hinted = -1;
    let current: ReturnType<typeof startRecordingWorker> | undefined;
    const startCurrent = () => {
      current ??= startRecordingWorker(redis.url, pool);
    };
    // Should the hint never come, a worker on database 0 still ends the run (and the test fails).
    const safety = setTimeout(startCurrent, 4000);
    try {
      const input = rows("otherdb", 2, 1);
      const { lines } = await farm(input, {
        noWorkerMs: 500,
        onProgress: (p) => progress.push({ workers: p.workers, started: p.started }),
        onNoWorkers: () => {
          hinted = progress.length;
          startCurrent();
        },
      });
      expect(lines).toEqual(await local(input));
      expect(hinted, JSON.stringify(progress)).toBeGreaterThan(0);
      expect(progress.slice(0, hinted).every((p) => p.workers === 0 && !p.started)).toBe(true);
      expect(progress.at(-1)?.started).toBe(true);
    } finally {
      clearTimeout(safety);
      await current?.worker.close();
      await elsewhere.close();
    }
  });

  it("says when Redis goes away mid-run and when it is back, and finishes after its restart", async () => {
    mkdirSync(join(dir, "restart"));
    const own = await startRedis(join(dir, "restart"));
    const said: boolean[] = [];
    let enqueued: () => void = () => {};
    const queued = new Promise<void>((r) => (enqueued = r));
    const input = rows("away", 2, 2);
    const run = farm(input, {
      redis: own.url,
      onProgress: () => enqueued(),
      onRedisAway: (away) => said.push(away),
    });
    let again: RedisServer | undefined;
    try {
      await queued;
      await own.stop();
      for (let i = 0; i < 100 && said.length === 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(said).toEqual([true]);
      again = await startRedis(join(dir, "restart"), { port: own.port });
      for (let i = 0; i < 100 && said.length === 1; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(said).toEqual([true, false]);
      const { worker } = startRecordingWorker(again.url, pool);
      try {
        expect((await run).lines).toEqual(await local(input));
      } finally {
        await worker.close();
      }
    } finally {
      await again?.stop();
    }
  });

  it("loses nothing when a worker is killed in the middle of a chunk", async () => {
    const input = rows("kill", 6, 4);
    const expected = await local(input);
    const run = farm(input);
    await killWorkerMidChunk(redis.url);
    const worker = startWorker({ redis: redis.url, pool, lockMs: TEST_LOCK_MS });
    try {
      const r = await run;
      expect(r.lines).toEqual(expected);
      expect(new Set(r.traced.map((t) => t.id)).size).toBe(input.length);
    } finally {
      await worker.close();
    }
  });

  it("narrows a failing chunk to its unit and gives that unit up with the reason", async () => {
    const input = rows("dead", 4, 3);
    const poison = input.find((r) => r.group === "dead-2")!;
    const expected = await local(input);
    const worker = startWorker({
      redis: redis.url,
      pool,
      lockMs: TEST_LOCK_MS,
      run: (chunkRows, data, p) => {
        if (chunkRows.some((r) => r.id === poison.id)) {
          return Promise.reject(new Error("the worker died running this"));
        }
        return traceChunk(chunkRows, data, p, `test:${data.rows[0].id}`);
      },
    });
    try {
      const r = await farm(input, { retry: { attempts: 2, backoffMs: 100 } });
      expect(r.summary.split).toBe(1);
      expect(r.summary.dead).toBe(1);
      const deadIds = input.filter((row) => row.group === "dead-2").map((row) => row.id);
      r.traced.forEach((t, i) => {
        if (deadIds.includes(t.id)) {
          expect(t.status).toBe("limit");
          expect(t.error).toContain("the worker died running this");
        } else {
          expect(r.lines[i]).toBe(expected[i]);
        }
      });
      const client = new Redis(redis.url);
      const letters = Object.values(await client.hgetall(DEAD_KEY)).map((v) => JSON.parse(v));
      client.disconnect();
      expect(letters).toEqual([
        expect.objectContaining({ rows: deadIds, reason: "the worker died running this" }),
      ]);
      // A rerun gives the same answer; --retry-dead tries the unit again, here with success.
      expect((await farm(input)).lines).toEqual(r.lines);
      await worker.close();
      const healthy = startWorker({ redis: redis.url, pool, lockMs: TEST_LOCK_MS });
      try {
        expect((await farm(input, { retryDead: true })).lines).toEqual(expected);
      } finally {
        await healthy.close();
      }
    } finally {
      await worker.close();
    }
  });
});
