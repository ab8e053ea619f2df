/**
 * `npm run bench -- farm [--snippets 20000] [--inputs 20] [--phase 3000] [--chunk 64]
 * [--index 240] [--load 1]`: the trace and index farm on loopback, bounded in time. A private
 * redis-server (AOF on) in a temporary folder; workers are `tracecode worker` processes with one
 * sandbox process each. `--phase 0`, `--index 0` and `--load 0` skip a part.
 *
 * 1. Throughput: the same number of snippets with 1 worker, then 2 (fresh snippets each time, so
 *    nothing is reused), against a local `traceFunctions` with 1 and 2 sandbox processes.
 * 2. Index: `--index` functions of real-code shape (typed and untyped functions, a method,
 *    doctests, module constants) in files of 8, indexed as `tracecode index` does (200 inputs,
 *    no model) locally with 1 and 2 sandbox processes and on the farm with 1 and 2 workers (a
 *    fresh folder per worker count, so nothing is reused); the farm's index must hold exactly
 *    what the local one holds (a digest of every table, every row).
 * 3. Load and faults: 3 workers trace `--snippets` snippets; at 25% one worker is killed with
 *    SIGKILL, at 50% a new one is started in its place, at 70% Redis is restarted (SIGTERM, same
 *    port and folder: the AOF brings everything back). Every snippet must be in the output
 *    exactly once, in input order, all `ok`, and a sample must equal a local run byte for byte.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FunctionRow } from "../data/index.js";
import {
  type ChunkSettings,
  type FarmProgress,
  farmExecutor,
  haveRedisServer,
  type RedisServer,
  startRedis,
  traceOnFarm,
} from "../farm/index.js";
import { TracerPool, traceFunctions } from "../python/index.js";
import { packagePath } from "../python/pool.js";
import { canonicalRows, indexPaths } from "../search/index.js";

function parseArgs(args: string[]): Record<string, number> {
  const out: Record<string, number> = {
    snippets: 20_000,
    inputs: 20,
    phase: 3000,
    chunk: 64,
    index: 240,
    load: 1,
  };
  const mayBeZero = new Set(["phase", "index", "load"]);
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i].replace(/^--/, "");
    const value = Number(args[i + 1]);
    if (!(key in out) || !Number.isInteger(value) || value < (mayBeZero.has(key) ? 0 : 1)) {
      throw new Error(`bench farm: bad option ${args[i]} ${args[i + 1] ?? ""}`);
    }
    out[key] = value;
  }
  return out;
}

/** Snippets of a few shapes (arithmetic, branches, a loop), every one with its own id. */
function snippets(tag: string, n: number): FunctionRow[] {
  return Array.from({ length: n }, (_, i) => {
    const c = (i % 97) - 48;
    const shape = i % 4;
    const body =
      shape === 0
        ? `    return x + ${c}\n`
        : shape === 1
          ? `    if x > ${c}:\n        return x - ${c}\n    return ${c} * 2\n`
          : shape === 2
            ? `    s = 0\n    for i in range(abs(x) % 7):\n        s += i * ${c}\n    return s\n`
            : `    t = x * ${c}\n    return t % 11\n`;
    return FunctionRow.parse({
      id: `${tag}-${i}`,
      group: `${tag}-${i}`,
      code: `def f(x):\n${body}`,
    });
  });
}

/** A folder of `n` functions of real-code shape, 8 per file; `tag` makes every file new. */
function pythonFolder(dir: string, tag: string, n: number): void {
  mkdirSync(dir, { recursive: true });
  for (let f = 0; f * 8 < n; f++) {
    const c = (f % 13) + 2;
    const fns = [
      `def add_${f}(a: int, b: int) -> int:\n    return a + b + LIMIT\n`,
      `def below_${f}(xs):\n    return [x for x in xs if x < LIMIT]\n`,
      `def words_${f}(s: str) -> int:\n    return len(s.split()) * ${c}\n`,
      `def loop_${f}(n: int) -> int:\n    t = 0\n    for k in range(n % 40):\n        t += k * ${c}\n    return t\n`,
      `def scale_${f}(x, factor=${c}):\n    """\n    >>> scale_${f}(2)\n    ${2 * c}\n    """\n    return x * factor\n`,
      `def pick_${f}(d: dict[str, int], k: str) -> int:\n    return d.get(k, -1)\n`,
      `class Acc_${f}:\n    def __init__(self, start):\n        self.start = start\n\n    def plus(self, n):\n        return self.start + n * ${c}\n`,
      `def rev_${f}(s: str) -> str:\n    return s[::-1] + "${tag}"\n`,
    ].slice(0, Math.min(8, n - f * 8));
    writeFileSync(join(dir, `m${f}.py`), `"""${tag}"""\nLIMIT = ${c * 3}\n\n\n${fns.join("\n\n")}`);
  }
}

/** A digest of every table of an index, every row (not the clock), in a canonical order. */
function indexDigest(dir: string): string {
  const h = createHash("sha256");
  for (const [name, rows] of Object.entries(canonicalRows(dir))) {
    h.update(`${name}\n${rows.join("\n")}\n`);
  }
  return h.digest("hex");
}

const main = () => packagePath("dist", "cli", "main.js");

function startWorkerProcess(redis: string): ChildProcess {
  return spawn(
    process.execPath,
    [
      main(),
      "worker",
      "--redis",
      redis,
      "--workers",
      "1",
      "--concurrency",
      "2",
      "--lock-ms",
      "5000",
    ],
    { stdio: "ignore" },
  );
}

async function stopProcess(p: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    p.once("exit", () => resolve());
    p.kill(signal);
  });
}

/** Steady-state rows/s: from the first progress with rows done to the end. */
function rate(samples: { t: number; done: number }[], total: number, end: number): number {
  const first = samples.find((s) => s.done > 0);
  if (!first || end <= first.t) return total / Math.max(end, 1e-9);
  return (total - first.done) / (end - first.t);
}

async function farmRun(
  redis: string,
  rows: FunctionRow[],
  settings: ChunkSettings,
  chunk: number,
  onProgress?: (p: FarmProgress) => void | Promise<void>,
) {
  const lines: string[] = [];
  const samples: { t: number; done: number }[] = [];
  const t0 = performance.now();
  const summary = await traceOnFarm(rows, {
    redis,
    settings,
    chunkRows: chunk,
    pollMs: 200,
    write: (line) => {
      lines.push(line);
    },
    onProgress: (p) => {
      samples.push({ t: (performance.now() - t0) / 1000, done: p.done });
      void onProgress?.(p);
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  return { lines, summary, seconds, steady: rate(samples, rows.length, seconds) };
}

export default async function bench(args: string[]): Promise<void> {
  const o = parseArgs(args);
  if (!haveRedisServer())
    throw new Error("bench farm needs redis-server: apt-get install redis-server");
  const settings: ChunkSettings = {
    inputs: o.inputs,
    range: { min: -100, max: 100 },
    seed: 0,
    maxSteps: 1_000_000,
    timeoutMs: 10_000,
    level: "trace",
  };
  const dir = mkdtempSync(join(tmpdir(), "tracecode-bench-farm-"));
  let redis: RedisServer | undefined;
  const workers: ChildProcess[] = [];
  const t0 = performance.now();
  console.log(
    `farm bench: ${o.snippets} snippets × ${o.inputs} inputs under faults, ${o.phase} per throughput run, chunks of ${o.chunk}, one sandbox process per worker`,
  );
  try {
    redis = await startRedis(dir);
    const url = redis.url;

    // 1. Throughput with 1 and 2 workers, and the local pool with 1 and 2 processes.
    for (const n of o.phase > 0 ? [1, 2] : []) {
      const pool = new TracerPool({ workers: n });
      try {
        const rows = snippets(`local${n}`, o.phase);
        await traceFunctions(rows.slice(0, n * 2), { pool, inputs: o.inputs });
        const start = performance.now();
        await traceFunctions(rows, { pool, inputs: o.inputs });
        const s = (performance.now() - start) / 1000;
        console.log(
          `  local traceFunctions, ${n} sandbox process${n > 1 ? "es" : ""}: ${Math.round(o.phase / s)} snippets/s`,
        );
      } finally {
        await pool.close();
      }
      for (let k = 0; k < n; k++) workers.push(startWorkerProcess(url));
      // Warm-up: every worker's sandbox starts on its first chunk.
      await farmRun(url, snippets(`warm${n}`, n * 4 * 2), settings, 2);
      const r = await farmRun(url, snippets(`tp${n}`, o.phase), settings, o.chunk);
      console.log(
        `  farm, ${n} worker${n > 1 ? "s" : ""}: ${Math.round(o.phase / r.seconds)} snippets/s overall, ${Math.round(r.steady)} steady (${r.summary.chunks} chunks, ${r.seconds.toFixed(1)} s)`,
      );
      await Promise.all(workers.splice(0).map((w) => stopProcess(w)));
    }

    // 2. Index: local and on the farm, the same folder, the same index.
    let indexOk = true;
    for (const n of o.index > 0 ? [1, 2] : []) {
      const src = join(dir, `index-src-${n}`);
      pythonFolder(src, `bench ${n} ${Date.now()}`, o.index);
      const pool = new TracerPool({ workers: n });
      let local: Awaited<ReturnType<typeof indexPaths>>;
      try {
        await traceFunctions(snippets(`iwarm${n}`, n * 2), { pool, inputs: 1 });
        local = await indexPaths([src], join(dir, `index-local-${n}`), { model: null, pool });
      } finally {
        await pool.close();
      }
      for (let k = 0; k < n; k++) workers.push(startWorkerProcess(url));
      await farmRun(url, snippets(`iwarm-farm${n}`, n * 4 * 2), settings, 2);
      const farm = await indexPaths([src], join(dir, `index-farm-${n}`), {
        model: null,
        execute: farmExecutor({ redis: url, pollMs: 200 }),
      });
      await Promise.all(workers.splice(0).map((w) => stopProcess(w)));
      const same =
        indexDigest(join(dir, `index-local-${n}`)) === indexDigest(join(dir, `index-farm-${n}`));
      indexOk &&= same && farm.functions === o.index;
      console.log(
        `  index, ${local.functions} functions × 200 inputs: local ${n} sandbox process${n > 1 ? "es" : ""} ${(local.functions / local.seconds).toFixed(1)} functions/s (${local.seconds.toFixed(1)} s); farm ${n} worker${n > 1 ? "s" : ""} ${(farm.functions / farm.seconds).toFixed(1)} functions/s (${farm.seconds.toFixed(1)} s); ${local.behaviours} behaviours; index ${same ? "identical to" : "DIFFERENT from"} the local one`,
      );
    }
    if (o.index > 0) console.log(`  index verdict: ${indexOk ? "PASS" : "FAIL"}`);
    if (!indexOk) process.exitCode = 1;
    if (o.load === 0) return;

    // 3. Load and faults.
    for (let k = 0; k < 3; k++) workers.push(startWorkerProcess(url));
    const rows = snippets("load", o.snippets);
    const events: string[] = [];
    let killed = false;
    let restarted = false;
    let redisRestarted = false;
    const start = performance.now();
    const at = () => ((performance.now() - start) / 1000).toFixed(1);
    const r = await farmRun(url, rows, settings, o.chunk, async (p) => {
      const f = p.done / p.total;
      if (!killed && f >= 0.25) {
        killed = true;
        workers[0].kill("SIGKILL");
        events.push(`${at()} s: SIGKILL worker 1 at ${p.done} rows (${p.active} chunks running)`);
      } else if (killed && !restarted && f >= 0.5) {
        restarted = true;
        workers[0] = startWorkerProcess(url);
        events.push(`${at()} s: worker 1 restarted at ${p.done} rows`);
      } else if (restarted && !redisRestarted && f >= 0.7 && redis) {
        redisRestarted = true;
        const port = redis.port;
        events.push(`${at()} s: Redis stopped at ${p.done} rows`);
        await redis.stop();
        redis = await startRedis(dir, { port });
        events.push(`${at()} s: Redis back (AOF replayed)`);
      }
    });
    for (const e of events) console.log(`  ${e}`);
    // Exactly once, in order, all ok.
    const ids = r.lines.map((l) => (JSON.parse(l) as { id: string }).id);
    const statuses = new Map<string, number>();
    for (const l of r.lines) {
      const s = (JSON.parse(l) as { status: string }).status;
      statuses.set(s, (statuses.get(s) ?? 0) + 1);
    }
    const inOrder = ids.length === rows.length && ids.every((id, i) => id === rows[i].id);
    const unique = new Set(ids).size;
    // A sample against a local run, byte for byte.
    const sample = rows.filter((_, i) => i % Math.ceil(rows.length / 200) === 0);
    const pool = new TracerPool({ workers: 2 });
    let same = 0;
    try {
      const local = await traceFunctions(sample, { ...settings, pool });
      const lineOf = new Map(ids.map((id, i) => [id, r.lines[i]]));
      same = local.filter((t) => JSON.stringify(t) === lineOf.get(t.id)).length;
    } finally {
      await pool.close();
    }
    console.log(
      `  3 workers under faults: ${rows.length} snippets in ${r.seconds.toFixed(1)} s (${Math.round(rows.length / r.seconds)} snippets/s), ${r.summary.chunks} chunks, ${r.summary.dead} given up`,
    );
    console.log(
      `  exactly once: ${unique} distinct ids of ${ids.length} rows written for ${rows.length} snippets, input order ${inOrder ? "kept" : "BROKEN"}; statuses ${[...statuses].map(([s, n]) => `${s} ${n}`).join(", ")}; sample of ${sample.length} byte-identical to a local run: ${same}/${sample.length}`,
    );
    const ok = inOrder && unique === rows.length && same === sample.length && killed;
    console.log(
      `  verdict: ${ok ? "PASS" : "FAIL"} (${((performance.now() - t0) / 1000).toFixed(0)} s in all)`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await Promise.all(workers.map((w) => stopProcess(w, "SIGKILL")));
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
