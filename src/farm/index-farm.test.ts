import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliRunner } from "../../test/helpers/cli.js";
import { killWorkerMidChunk, startRecordingWorker, TEST_LOCK_MS } from "../../test/helpers/farm.js";
import { TracerPool } from "../python/index.js";
import { packagePath } from "../python/pool.js";
import { canonicalRows, DB_FILE, type IndexSummary, indexPaths } from "../search/index.js";
import {
  connectionOf,
  DEAD_KEY,
  type FarmIndexOptions,
  type FarmSummary,
  farmExecutor,
  haveRedisServer,
  indexChunk,
  queueName,
  type RedisServer,
  startRedis,
  startWorker,
} from "./index.js";

const root = mkdtempSync(join(tmpdir(), "tracecode-farm-index-"));
const src = join(root, "src");
let redis: RedisServer;
let pool: TracerPool;

/** Typed, untyped (probing), doctests, a method, a function that always raises. */
const files = {
  "sums.py": `def tri(n: int) -> int:
    return n * (n + 1) // 2 if n > 0 else 0

def tri_loop(n: int) -> int:
    t = 0
    for i in range(n + 1):
        t += i
    return t
`,
  "strings.py": `def rev(s: str) -> str:
    return s[::-1]

def first(s: str) -> str:
    return s[0]
`,
  "untyped.py": `LIMIT = 10

def isascii(v):
    return v.isascii()

def add_all(xs):
    """
    >>> add_all([1, 2, 3])
    6
    >>> add_all([])
    1
    """
    return sum(xs) % LIMIT

class Acc:
    def __init__(self, start):
        self.start = start

    def plus(self, n):
        return self.start + n
`,
  "pkg/more.py": `def halve(n: int) -> int:
    return n // 2

def boom(n: int) -> int:
    raise ValueError(n)
`,
};
mkdirSync(join(src, "pkg"), { recursive: true });
for (const [name, text] of Object.entries(files)) writeFileSync(join(src, name), text);

const INPUTS = 16;
const cli = cliRunner({ timeoutMs: 120_000 });
/** A function: the pool is only made in beforeAll. */
const base = () => ({ model: null, inputs: INPUTS, pool });

let localDir: string;
let local: Record<string, unknown[]>;
let localSummary: IndexSummary;

async function onFarm(
  name: string,
  extra: Partial<FarmIndexOptions> = {},
): Promise<{ dir: string; summary: IndexSummary; farm: FarmSummary }> {
  const dir = join(root, name);
  let farm: FarmSummary | undefined;
  const summary = await indexPaths([src], dir, {
    ...base(),
    execute: farmExecutor({
      redis: redis.url,
      chunkRows: 3,
      pollMs: 100,
      onFarmDone: (s) => {
        farm = s;
      },
      ...extra,
    }),
  });
  return { dir, summary, farm: farm as FarmSummary };
}

beforeAll(async () => {
  if (!haveRedisServer()) {
    throw new Error("the farm tests need redis-server on the PATH: apt-get install redis-server");
  }
  mkdirSync(join(root, "redis"));
  redis = await startRedis(join(root, "redis"));
  pool = new TracerPool({ workers: 2 });
  localDir = join(root, "local");
  localSummary = await indexPaths([src], localDir, base());
  local = canonicalRows(localDir);
});

afterAll(async () => {
  await pool?.close();
  await redis?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe("index farm", () => {
  it("writes the index a local run writes, and a rerun enqueues and runs nothing", async () => {
    // The local index is worth comparing: behaviours, probing, doctests, a failure.
    expect(localSummary.functions).toBe(9);
    expect(local.behaviours.length).toBeGreaterThan(3);
    expect(localSummary.report.doctests.examples).toBe(2);
    expect(localSummary.failed).toEqual({ always_raises: 1 });
    const { worker, ran } = startRecordingWorker(redis.url, pool);
    try {
      const first = await onFarm("farm1", { keep: true });
      expect(canonicalRows(first.dir)).toEqual(local);
      expect(first.farm.chunks).toBeGreaterThan(2);
      expect(first.farm.reused).toBe(0);
      expect(ran).toHaveLength(first.farm.chunks);
      // The same folder into a new index: every chunk is found finished, nothing runs again.
      const again = await onFarm("farm2");
      expect(again.farm.reused).toBe(first.farm.chunks);
      expect(ran).toHaveLength(first.farm.chunks);
      expect(canonicalRows(again.dir)).toEqual(local);
      const queue = new Queue(queueName(), { connection: connectionOf(redis.url) });
      expect(await queue.getJobCounts("waiting", "active")).toEqual({ waiting: 0, active: 0 });
      await queue.close();
    } finally {
      await worker.close();
    }
  });

  it("writes the local index with --isolation row too (every function its own unit)", async () => {
    const rowLocal = join(root, "row-local");
    await indexPaths([src], rowLocal, { ...base(), isolation: "row" });
    const worker = startWorker({ redis: redis.url, pool, lockMs: TEST_LOCK_MS });
    try {
      const dir = join(root, "row-farm");
      await indexPaths([src], dir, {
        ...base(),
        isolation: "row",
        execute: farmExecutor({ redis: redis.url, chunkRows: 3, pollMs: 100 }),
      });
      expect(canonicalRows(dir)).toEqual(canonicalRows(rowLocal));
    } finally {
      await worker.close();
    }
  });

  it("loses nothing when a worker is killed in the middle of a chunk", async () => {
    const run = onFarm("killed", { keep: false });
    await killWorkerMidChunk(redis.url);
    const worker = startWorker({ redis: redis.url, pool, lockMs: TEST_LOCK_MS });
    try {
      const r = await run;
      expect(canonicalRows(r.dir)).toEqual(local);
    } finally {
      await worker.close();
    }
  });

  it("resumes after Ctrl-C: the workers go on, and the same command again reuses what they finished", async () => {
    const dir = join(root, "interrupted");
    // A seed of its own: chunks the other tests left finished in Redis are not these.
    const settings = ["--no-model", "--inputs", String(INPUTS), "--seed", "7", "--json"];
    const farmArgs = [
      "index",
      src,
      "--out",
      dir,
      "--redis",
      redis.url,
      "--chunk",
      "3",
      ...settings,
    ];
    const command = [packagePath("dist", "cli", "main.js"), ...farmArgs];
    // No worker is running: the coordinator enqueues its chunks and waits for them.
    const coordinator = spawn(process.execPath, command, { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    coordinator.stderr.on("data", (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((r) => coordinator.once("exit", (code) => r(code)));
    const queue = new Queue(queueName(), { connection: connectionOf(redis.url) });
    const pending = async () => {
      const c = await queue.getJobCounts("waiting", "active", "delayed");
      return (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0);
    };
    let queued = 0;
    let seen = -1;
    // Enqueued in one go; wait until the count holds still over two polls.
    for (let i = 0; i < 400 && (queued === 0 || queued !== seen); i++) {
      await new Promise((r) => setTimeout(r, 100));
      seen = queued;
      queued = await pending();
    }
    expect(queued, stderr).toBeGreaterThan(2);
    coordinator.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(stderr).toContain("the same command again resumes");
    // Nobody waits for the chunks now; a worker still runs them all.
    const { worker, ran } = startRecordingWorker(redis.url, pool);
    try {
      for (let i = 0; i < 600 && (await pending()) > 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await pending()).toBe(0);
      expect(ran).toHaveLength(queued);
      // The same command again: every chunk is found finished, nothing runs twice, and the
      // index is the one a local run writes.
      const again = cli(...farmArgs);
      expect(again.status, again.stderr).toBe(0);
      const summary = JSON.parse(again.stdout) as { farm: FarmSummary };
      expect(summary.farm.chunks).toBe(queued);
      expect(summary.farm.reused).toBe(queued);
      expect(ran).toHaveLength(queued);
      const alone = cli("index", src, "--out", join(root, "interrupted-local"), ...settings);
      expect(alone.status, alone.stderr).toBe(0);
      expect(canonicalRows(dir)).toEqual(canonicalRows(join(root, "interrupted-local")));
    } finally {
      await worker.close();
      await queue.close();
    }
  });

  it("gives up a file whose chunk keeps failing: its functions get status limit and the reason", async () => {
    const poison = join(src, "strings.py");
    const worker = startWorker({
      redis: redis.url,
      pool,
      lockMs: TEST_LOCK_MS,
      runIndex: (data, p) => {
        if (data.rows.some((r) => r.item.file === poison)) {
          return Promise.reject(new Error("the worker died running this"));
        }
        return indexChunk(data, p, `test:${data.rows[0].id}`);
      },
    });
    try {
      const r = await onFarm("dead", { retry: { attempts: 2, backoffMs: 100 } });
      expect(r.farm.dead).toBe(1);
      const db = new Database(join(r.dir, DB_FILE), { readonly: true });
      const rows = db
        .prepare("SELECT file, name, status, error FROM functions ORDER BY file, line")
        .all() as { file: string; name: string; status: string; error: string | null }[];
      db.close();
      const dead = rows.filter((row) => row.file === poison);
      expect(dead.map((row) => row.name)).toEqual(["rev", "first"]);
      for (const row of dead) {
        expect(row.status).toBe("limit");
        expect(row.error).toContain("the worker died running this");
      }
      // Every other file is as a local run indexed it.
      const others = canonicalRows(r.dir).functions.filter((f) => !String(f).includes(poison));
      expect(others).toEqual(local.functions.filter((f) => !String(f).includes(poison)));
      const client = new Redis(redis.url);
      const letters = Object.values(await client.hgetall(DEAD_KEY)).map((v) => JSON.parse(v));
      client.disconnect();
      expect(letters).toEqual([
        expect.objectContaining({
          rows: [`${poison}:1 rev`, `${poison}:4 first`],
          reason: "the worker died running this",
        }),
      ]);
    } finally {
      await worker.close();
    }
  });
});
