/**
 * `npm run bench -- search [--data PATH,...] [--sizes 10000,100000] [--queries 200] [--k 10]`:
 * indexing speed on real code (default: data/realcode-dev.jsonl and data/realcode-train.jsonl, run
 * in the sandbox and embedded with the default model), then search latency at each size
 * with synthetic filler vectors: the HNSW graph against the exact scan, in the same run, with
 * the graph's recall of the exact top k. Filler vectors are clustered like families of
 * equivalent functions (a centre per 20 vectors plus noise), a harder case for the graph than
 * uniform noise.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FunctionRow } from "../data/index.js";
import { resolveModelDir } from "../models/index.js";
import { stopWarmServer, traceWarm } from "../python/index.js";
import { packagePath } from "../python/pool.js";
import { Random } from "../random/index.js";
import {
  ANN_FILE,
  AnnIndex,
  type Distance,
  exactNearest,
  IndexStore,
  indexPaths,
  loadEmbedder,
  searchIndex,
} from "../search/index.js";

interface Args {
  data: string[];
  sizes: number[];
  queries: number;
  k: number;
}

function parseArgs(args: string[]): Args {
  const defaults = [
    packagePath("data", "realcode-dev.jsonl"),
    packagePath("data", "realcode-train.jsonl"),
  ].filter((p) => existsSync(p));
  const out: Args = { data: defaults, sizes: [10_000, 100_000], queries: 200, k: 10 };
  for (let i = 0; i < args.length; i += 2) {
    const [key, value] = [args[i], args[i + 1] ?? ""];
    const ints = value.split(",").map(Number);
    if (key === "--data") out.data = value.split(",").filter((p) => p !== "");
    else if (key === "--sizes" && ints.every((n) => Number.isInteger(n) && n > 0)) out.sizes = ints;
    else if (key === "--queries" && ints[0] > 0) out.queries = ints[0];
    else if (key === "--k" && ints[0] > 0) out.k = ints[0];
    else throw new Error(`bench search: bad option ${key} ${value}`);
  }
  return out;
}

/** `n` vectors around n/20 random centres, and `queries` more drawn the same way. */
function clustered(n: number, queries: number, dim: number, seed: number) {
  const r = new Random(seed).fork("bench-search");
  const centres = Array.from({ length: Math.max(1, Math.floor(n / 20)) }, () =>
    Float32Array.from({ length: dim }, () => r.normal()),
  );
  const draw = (count: number) => {
    const data = new Float32Array(count * dim);
    for (let i = 0; i < count; i++) {
      const c = centres[r.int(0, centres.length - 1)];
      for (let j = 0; j < dim; j++) data[i * dim + j] = c[j] + 0.3 * r.normal();
    }
    return data;
  };
  return { data: draw(n), queries: draw(queries) };
}

const ms = (t0: number) => performance.now() - t0;

async function indexingSpeed(paths: string[], model: string | undefined, dir: string) {
  process.stdout.write(`indexing ${paths.join(", ")}\n  model: ${model ?? "none"}\n`);
  const first = await indexPaths(paths, dir, { model: model ?? null });
  const failed = Object.entries(first.failed).map(([s, n]) => `${s} ${n}`);
  process.stdout.write(
    `  ${first.functions} functions (${first.executed} run, ${first.noInputs} without inputs${failed.length ? `, ${failed.join(", ")}` : ""}) in ${first.seconds.toFixed(1)} s: ${(first.functions / first.seconds).toFixed(1)} functions/s (200 inputs each, 2 sandbox processes)\n`,
  );
  const again = await indexPaths(paths, dir, {});
  process.stdout.write(
    `  re-index, nothing changed: ${(again.seconds * 1000).toFixed(0)} ms (${again.unchanged} files skipped)\n`,
  );
}

/** Adds `n` filler functions with the given vectors to an index and rebuilds its graph. */
function addFiller(dir: string, data: Float32Array, dim: number, distance: Distance): number {
  const store = IndexStore.open(dir);
  try {
    const n = data.length / dim;
    const perFile = 1000;
    store.transaction(() => {
      for (let f = 0; f * perFile < n; f++) {
        const records = [];
        for (let i = f * perFile; i < Math.min(n, (f + 1) * perFile); i++) {
          records.push({
            line: i - f * perFile + 1,
            name: `filler_${i}`,
            code: `def filler_${i}(x: int) -> int:\n    return x + ${i}\n`,
            args: null,
            argsFrom: "hints" as const,
            problem: "synthetic filler",
            status: "no_inputs",
            embedding: data.subarray(i * dim, (i + 1) * dim),
          });
        }
        store.replaceFile(`/synthetic/filler-${f}.py`, `filler-${f}`, records);
      }
      store.setMeta("generation", String(Number(store.getMeta("generation") ?? "0") + 1));
    });
    const t0 = performance.now();
    const { ids, data: all } = store.embeddings(dim);
    AnnIndex.build(distance, dim, ids, all).save(join(dir, ANN_FILE));
    store.setMeta("ann_generation", store.getMeta("generation")!);
    return ms(t0);
  } finally {
    store.close();
  }
}

export default async function bench(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const model = resolveModelDir();
  const root = mkdtempSync(join(tmpdir(), "tracecode-bench-search-"));
  try {
    const base = join(root, "real");
    if (args.data.length > 0) await indexingSpeed(args.data, model, base);
    const embedder = model ? loadEmbedder(model) : null;
    const dim = embedder?.dim ?? 64;
    const distance: Distance = embedder?.distance ?? "cosine";
    process.stdout.write(
      `\nsearch, k = ${args.k}, ${args.queries} queries, dim ${dim}, ${distance} distance\n` +
        "size      build s   ANN ms/q   exact ms/q   exact/ANN   recall@k   end-to-end ANN ms/q   end-to-end exact ms/q\n",
    );
    let firstIndex: string | undefined;
    for (const n of args.sizes) {
      const { data, queries } = clustered(n, args.queries, dim, n);
      const ids = Array.from({ length: n }, (_, i) => i + 1);
      let t0 = performance.now();
      const ann = AnnIndex.build(distance, dim, ids, data);
      const buildS = ms(t0) / 1000;
      const q = (i: number) => queries.subarray(i * dim, (i + 1) * dim);
      t0 = performance.now();
      const approx = Array.from({ length: args.queries }, (_, i) => ann.nearest(q(i), args.k));
      const annMs = ms(t0) / args.queries;
      t0 = performance.now();
      const exact = Array.from({ length: args.queries }, (_, i) =>
        exactNearest(q(i), ids, data, dim, distance, args.k),
      );
      const exactMs = ms(t0) / args.queries;
      let found = 0;
      approx.forEach((a, i) => {
        const truth = new Set(exact[i].map((e) => e.id));
        found += a.filter((x) => truth.has(x.id)).length;
      });
      const recall = found / (args.queries * args.k);

      // The whole search call (open the index, load the model and graph, embed, look up hits),
      // on a real index of the functions above plus the filler.
      let e2e = "-";
      let e2eExact = "-";
      if (embedder && existsSync(base)) {
        const dir = join(root, `filler-${n}`);
        cpSync(base, dir, { recursive: true });
        addFiller(dir, data, dim, distance);
        const snippet = "def f(n: int) -> int:\n    return n * (n + 1) // 2\n";
        const timed = async (exactScan: boolean, runs: number) => {
          const s0 = performance.now();
          for (let i = 0; i < runs; i++)
            await searchIndex(dir, snippet, { k: args.k, exact: exactScan, noExecute: true });
          return (ms(s0) / runs).toFixed(1);
        };
        e2e = await timed(false, 10);
        e2eExact = await timed(true, 10);
      }
      if (n === args.sizes[0] && existsSync(join(root, `filler-${n}`)))
        firstIndex = join(root, `filler-${n}`);
      process.stdout.write(
        `${String(n).padEnd(9)} ${buildS.toFixed(1).padStart(7)}   ${annMs.toFixed(3).padStart(8)}   ${exactMs
          .toFixed(3)
          .padStart(10)}   ${(exactMs / annMs).toFixed(1).padStart(8)}×   ${recall
          .toFixed(3)
          .padStart(8)}   ${e2e.padStart(19)}   ${e2eExact.padStart(21)}\n`,
      );
    }
    if (firstIndex) await wholeCommand(firstIndex, args.sizes[0]);
  } finally {
    await stopWarmServer();
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The whole `tracecode search` command, the query run on the index's inputs included: a new
 * Node process each time, with the warm sandbox server (started by the first command) and
 * without it (TRACECODE_NO_WARM=1, every command starts its own sandbox).
 */
async function wholeCommand(dir: string, size: number): Promise<void> {
  const cli = packagePath("dist", "cli", "main.js");
  const query = "def f(n: int) -> int:\n    return sum(range(n + 1))\n";
  const run = (env: NodeJS.ProcessEnv) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [cli, "search", dir, "--code", query, "--json"], {
      env,
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`tracecode search failed: ${r.stderr.slice(0, 300)}`);
    return ms(t0);
  };
  const cold = [0, 1, 2].map(() => run({ ...process.env, TRACECODE_NO_WARM: "1" }));
  const warmEnv = { ...process.env };
  delete warmEnv.TRACECODE_NO_WARM;
  run(warmEnv); // starts the server
  // The server answers once its pool has started.
  const probe = [FunctionRow.parse({ id: "p", code: "def f(x):\n    return x\n" })];
  for (let i = 0; i < 120 && !(await traceWarm(probe, { inputs: 1 })).warm; i++) {
    await new Promise((ok) => setTimeout(ok, 500));
  }
  const warm = Array.from({ length: 15 }, () => run(warmEnv)).sort((a, b) => a - b);
  const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  process.stdout.write(
    `\nwhole tracecode search command (new process, query run on the index's inputs), ${size} functions:\n` +
      `  with the warm sandbox server: median ${pct(warm, 0.5).toFixed(0)} ms, p90 ${pct(warm, 0.9).toFixed(0)} ms over ${warm.length} commands (goal: median ≤ 1500 ms)\n` +
      `  starting its own sandbox: ${cold.map((c) => c.toFixed(0)).join(", ")} ms\n`,
  );
}
