/**
 * Reaching Redis: a coordinator or a worker whose Redis does not answer fails at once, naming
 * the URL and the cause, instead of waiting forever; an idle worker stops on one Ctrl-C, even
 * when its Redis went away after it connected.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packagePath } from "../python/pool.js";
import {
  checkRedis,
  connectionOf,
  freePort,
  haveRedisServer,
  queueName,
  type RedisServer,
  RedisUnreachableError,
  RedisUrlError,
  startRedis,
} from "./index.js";

const root = mkdtempSync(join(tmpdir(), "tracecode-farm-connect-"));
const main = packagePath("dist", "cli", "main.js");
/** Only a safety net: every command here ends in a few seconds when it behaves. */
const SAFETY_MS = 30_000;

/** Runs `tracecode ARGS…` to its end; `code` is null when the safety net had to kill it. */
async function cli(
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [main, ...args], {
      cwd: root,
      timeout: SAFETY_MS,
      killSignal: "SIGKILL",
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const r = e as { code?: unknown; stdout: string; stderr: string };
    return { code: typeof r.code === "number" ? r.code : null, stdout: r.stdout, stderr: r.stderr };
  }
}

/** A `tracecode worker` process, once it says it is serving. */
async function servingWorker(url: string) {
  const proc: ChildProcess = spawn(
    process.execPath,
    [main, "worker", "--redis", url, "--workers", "1", "--lock-ms", "2000"],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  proc.stderr?.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => {
    const safety = setTimeout(() => proc.kill("SIGKILL"), SAFETY_MS);
    proc.once("exit", (code) => {
      clearTimeout(safety);
      resolve(code);
    });
  });
  await new Promise<void>((resolve, reject) => {
    proc.stdout?.on("data", (d) => {
      stdout += d;
      if (stdout.includes(" serving ")) resolve();
    });
    void exited.then((code) => reject(new Error(`the worker exited with ${code}: ${stderr}`)));
  });
  return { proc, exited, output: () => stdout, errors: () => stderr };
}

let redis: RedisServer;

beforeAll(async () => {
  if (!haveRedisServer()) {
    throw new Error("the farm tests need redis-server on the PATH: apt-get install redis-server");
  }
  mkdirSync(join(root, "redis"));
  mkdirSync(join(root, "src"));
  writeFileSync(join(root, "src", "m.py"), "def inc(n: int) -> int:\n    return n + 1\n");
  writeFileSync(
    join(root, "functions.jsonl"),
    `${JSON.stringify({ id: "a", code: "def f(x):\n    return x + 1\n" })}\n`,
  );
  redis = await startRedis(join(root, "redis"), { appendonly: false });
});

afterAll(async () => {
  await redis?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** The three commands that take --redis, each given `url`: index, trace and worker. */
const farmCommands = (url: string) =>
  Promise.all([
    cli("index", "src", "--out", "idx", "--no-model", "--redis", url),
    cli("trace", "--in", "functions.jsonl", "--out", "t.jsonl", "--redis", url),
    cli("worker", "--redis", url, "--workers", "1"),
  ]);

describe("reaching Redis", () => {
  it("checkRedis answers for a live server and names the cause for a dead one", async () => {
    await checkRedis(redis.url);
    const nobody = `redis://127.0.0.1:${await freePort()}`;
    const error = await checkRedis(nobody, { retryDelayMs: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisUnreachableError);
    expect((error as RedisUnreachableError).reason).toBe("ECONNREFUSED");
    expect((error as Error).message).toContain(`cannot connect to Redis at ${nobody}`);
    await expect(checkRedis("http://127.0.0.1:1")).rejects.toBeInstanceOf(RedisUrlError);
  });

  it("index, trace and worker fail with the URL and the cause when nothing listens", async () => {
    // A loopback port where nothing listens: every attempt is refused at once.
    const url = `redis://127.0.0.1:${await freePort()}`;
    const [index, trace, worker] = await farmCommands(url);
    for (const r of [index, trace, worker]) {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`tracecode: error: cannot connect to Redis at ${url}`);
      expect(r.stderr).toContain("ECONNREFUSED");
      expect(r.stderr).not.toContain("the workers go on");
    }
    // Nothing was announced as if connected.
    expect(worker.stdout).not.toContain("serving");
    // A URL of another scheme stays a usage error, and nothing is tried.
    const scheme = await cli("worker", "--redis", "http://127.0.0.1:6379");
    expect(scheme.code, scheme.stderr).toBe(2);
    expect(scheme.stderr).toContain("expected a redis:// or rediss:// URL");
  });

  it("an idle worker stops on one SIGINT, also when its Redis went away", async () => {
    mkdirSync(join(root, "redis-own"));
    const own = await startRedis(join(root, "redis-own"), { appendonly: false });
    try {
      const [live, orphan] = await Promise.all([servingWorker(redis.url), servingWorker(own.url)]);
      live.proc.kill("SIGINT");
      expect(await live.exited, live.output()).toBe(0);
      expect(live.output()).toContain("worker: stopped after 0 chunks");
      // Its Redis stops: the worker would wait to reconnect; one SIGINT still ends it.
      await own.stop();
      orphan.proc.kill("SIGINT");
      expect(await orphan.exited, orphan.output()).toBe(0);
      expect(orphan.output()).toContain("worker: stopped after 0 chunks");
    } finally {
      await own.stop();
    }
  });

  it("checkRedis refuses a database the server does not have, with Redis's reply", async () => {
    expect(await checkRedis(`${redis.url}/5`)).toEqual({ passwordUnused: false });
    const error = await checkRedis(`${redis.url}/20`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisUnreachableError);
    expect((error as RedisUnreachableError).reason).toBe("ERR DB index is out of range");
    expect((error as Error).message).toContain(`Redis at ${redis.url}/20 refuses database 20`);
    await expect(checkRedis(`${redis.url}/x`)).rejects.toBeInstanceOf(RedisUrlError);
    const withPassword = `redis://:secret@127.0.0.1:${redis.port}`;
    expect(await checkRedis(withPassword)).toEqual({ passwordUnused: true });
  });

  it("index, trace and worker refuse a database out of range, naming the URL and the reply", async () => {
    const url = `${redis.url}/20`;
    const [index, trace, worker] = await farmCommands(url);
    for (const r of [index, trace, worker]) {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toBe(
        `tracecode: error: Redis at ${url} refuses database 20 (ERR DB index is out of range): a Redis server has databases 0 to 15 unless started with --databases N; name one it has (redis://HOST:PORT/DB)\n`,
      );
    }
    expect(worker.stdout).not.toContain("serving");
  });

  it("index, trace and worker refuse an empty --redis or one that is not a URL (usage, exit 2)", async () => {
    const runs = (
      await Promise.all(["", "127.0.0.1:6379", `${redis.url}/db1`].map(farmCommands))
    ).flat();
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^tracecode: error: --redis .*\(run with --help for usage\)\n$/);
      expect(r.stdout).toBe("");
    }
    expect(runs[0].stderr).toContain('--redis "" is empty');
    expect(runs[4].stderr).toContain(
      "--redis 127.0.0.1:6379: not a URL (expected redis://HOST:PORT)",
    );
    expect(runs[8].stderr).toContain('the path "/db1" is not a database number');
  });

  it("says once, in its own words, that the server needs no password", async () => {
    const url = `redis://:secret@127.0.0.1:${redis.port}`;
    const worker = await servingWorker(url);
    worker.proc.kill("SIGINT");
    expect(await worker.exited, worker.errors()).toBe(0);
    expect(worker.errors()).toBe(
      `tracecode worker: warning: Redis at redis://:***@127.0.0.1:${redis.port} does not require a password, but the URL carries one: it goes on without\n`,
    );
  });

  it("a coordinator stopped before any worker took a chunk says that nothing ran", async () => {
    // Database 3 of its own: its chunks stay queued there for no worker.
    const url = `${redis.url}/3`;
    const coordinator = spawn(
      process.execPath,
      [main, "trace", "--in", "functions.jsonl", "--out", "t.jsonl", "--redis", url],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    coordinator.stderr?.on("data", (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((r) => coordinator.once("exit", (code) => r(code)));
    const queue = new Queue(queueName(), { connection: connectionOf(url) });
    try {
      let waiting = 0;
      for (let i = 0; i < 200 && waiting === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        waiting = (await queue.getJobCounts("waiting")).waiting ?? 0;
      }
      expect(waiting, stderr).toBe(1);
      coordinator.kill("SIGINT");
      expect(await exited).toBe(130);
      expect(stderr).toContain(
        "tracecode trace: stopped before any worker took a chunk, so nothing ran; the chunks stay queued for `tracecode worker`s to come, and the same command again resumes",
      );
      expect(stderr).not.toContain("the workers go on");
    } finally {
      coordinator.kill("SIGKILL");
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
