/**
 * `npm run bench -- trace [--workers 2] [--functions 20] [--variants 16] [--inputs 100]
 * [--profile 1]`: traced calls per second through `traceFunctions` on the paper's data shape, at
 * file and row isolation, against the same block tracing done by native `python3` with
 * `sys.settrace` (same number of processes), in the same run, with the pool start (median of
 * three new pools until every child is ready) and the machine's load average beside them, and
 * the CPU time per snippet of the children (their processes' counters in /proc) and of this
 * process (the parent's checks, rows and class hashes): CPU time, unlike the wall clock, hardly
 * depends on how busy the shared machine is. Variants are renamed affine functions made here, so
 * the benchmark does not depend on the generator.
 *
 * `--profile 1` adds where a child's time goes per snippet: the bench's own snippets (trusted
 * code made here, never user input) run through `tracer.py` in a Pyodide instance in this
 * process, timed in parts — parse, policy check and compile; defining and calling the function
 * bare; the same under the tracer; the JSON of the result — beside the reset time measured on
 * the pool and the parent's share (run the bench under `node --cpu-prof` for the parent).
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import type { FunctionRow } from "../data/index.js";
import { generateInputs, inputSet, TracerPool, traceFunctions } from "../python/index.js";
import { packagePath } from "../python/pool.js";
import { Random } from "../random/index.js";
import { benchPython, median } from "./side-by-side.js";

function parseArgs(args: string[]): Record<string, number> {
  const out: Record<string, number> = {
    workers: 2,
    functions: 20,
    variants: 16,
    inputs: 100,
    profile: 0,
  };
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i].replace(/^--/, "");
    const value = Number(args[i + 1]);
    if (!(key in out) || !Number.isInteger(value) || value < (key === "profile" ? 0 : 1)) {
      throw new Error(`bench trace: bad option ${args[i]} ${args[i + 1] ?? ""}`);
    }
    out[key] = value;
  }
  return out;
}

/** The paper's shape: `def f(x): return x + c` and renamed variants of it. */
function affineRows(functions: number, variants: number, seed: number): FunctionRow[] {
  const r = new Random(seed).fork("bench-trace");
  const names = ["x", "n", "value", "a", "num", "inp", "v", "arg", "k", "z", "p", "q"];
  const rows: FunctionRow[] = [];
  const constants = r.sample(
    Array.from({ length: 199 }, (_, i) => i - 99),
    functions,
  );
  for (let f = 0; f < functions; f++) {
    const c = constants[f];
    for (let v = 0; v < variants; v++) {
      const p = v === 0 ? "x" : r.pick(names);
      const body =
        v % 3 === 2
          ? `    t = ${p} + ${c}\n    return t\n`
          : v % 3 === 1
            ? `    return ${c} + ${p}\n`
            : `    return ${p} + ${c}\n`;
      rows.push({
        id: `affine-${f}/v${v}`,
        group: `affine-${f}`,
        code: `def f(${p}):\n${body}`,
        transforms: v === 0 ? [] : ["rename"],
        split: "train",
        seed,
        entry: "f",
        args: ["int"],
      });
    }
  }
  return rows;
}

function runNative(
  snippets: string[],
  inputs: unknown[][],
): Promise<{ calls: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn("python3", [benchPython("native_tracer.py")], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    let out = "";
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    p.on("error", (e) => reject(new Error(`cannot run python3: ${e.message}`)));
    p.on("close", (code) => {
      if (code !== 0) reject(new Error(`python3 exited with ${code}`));
      else resolve(JSON.parse(out) as { calls: number; seconds: number });
    });
    p.stdin.end(JSON.stringify({ snippets, inputs }));
  });
}

async function native(
  rows: FunctionRow[],
  inputs: unknown[][],
  processes: number,
): Promise<{ calls: number; seconds: number }> {
  const parts: string[][] = Array.from({ length: processes }, () => []);
  rows.forEach((row, i) => {
    parts[i % processes].push(row.code);
  });
  const t0 = performance.now();
  const results = await Promise.all(parts.map((p) => runNative(p, inputs)));
  const wall = (performance.now() - t0) / 1000;
  const inner = Math.max(...results.map((r) => r.seconds));
  return { calls: results.reduce((s, r) => s + r.calls, 0), seconds: Math.min(wall, inner) };
}

/**
 * CPU milliseconds used so far by this process's live descendants: the pool's sandboxed children
 * (and the boundary's processes around them), read from /proc (clock ticks of 10 ms; 0 where
 * /proc is not there).
 */
function descendantsCpuMs(): number {
  const parentOf = new Map<number, number>();
  const ticks = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return 0;
  }
  for (const d of entries) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parentOf.set(Number(d), Number(f[1]));
      ticks.set(Number(d), Number(f[11]) + Number(f[12]));
    } catch {
      // the process ended meanwhile
    }
  }
  let sum = 0;
  for (const [pid, t] of ticks) {
    for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p)) {
      if (p === process.pid) {
        sum += t;
        break;
      }
    }
  }
  return sum * 10;
}

/** Seconds from a new pool to every child being ready for jobs. */
async function poolStart(workers: number): Promise<number> {
  const t0 = performance.now();
  const pool = new TracerPool({ workers });
  try {
    await pool.start();
    return (performance.now() - t0) / 1000;
  } finally {
    await pool.close();
  }
}

/** Seconds for `jobs` one-input jobs of one tiny snippet on one child, each its own unit or all one. */
async function resetCost(pool: TracerPool, jobs: number): Promise<number> {
  const inputs = { key: "reset-bench", types: ["int"] as const, values: [[1]] };
  const code = "def f(x):\n    return x + 1\n";
  const time = async (unit: (i: number) => string) => {
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: jobs }, (_, i) =>
        pool.trace({ code, entry: "f", inputs, unit: unit(i) }),
      ),
    );
    return (performance.now() - t0) / 1000;
  };
  await time(() => "warm-up");
  let row = Number.POSITIVE_INFINITY;
  let one = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < 3; pass++) {
    row = Math.min(row, await time((i) => `job-${pass}-${i}`));
    one = Math.min(one, await time(() => `one-${pass}`));
  }
  return (row - one) / jobs;
}

/** Microseconds per snippet spent in each part of a child's work (see the header). */
async function childProfile(rows: FunctionRow[], inputs: number): Promise<Record<string, number>> {
  const { loadPyodide } = await import("pyodide");
  const py = await loadPyodide({
    env: { PYTHONHASHSEED: "0" },
    stdout: () => {},
    stderr: () => {},
  });
  py.globals.set(
    "_tracer_source",
    readFileSync(packagePath("dist", "python", "tracer.py"), "utf8"),
  );
  py.runPython(`
import ast, json, time, types
T = types.ModuleType("_tracecode_tracer")
exec(compile(_tracer_source, "tracer.py", "exec"), T.__dict__)

def parts(code, entry, key, repeat):
    rows = T._inputs[key]
    t = [0.0] * 5
    for _ in range(repeat):
        a = time.perf_counter()
        tree = ast.parse(code, "<snippet>")
        T.check_tree(tree)
        compiled = compile(tree, "<snippet>", "exec")
        b = time.perf_counter()
        ns = {"__builtins__": dict(T._BUILTINS)}
        exec(compiled, ns)
        fn = ns[entry]
        for row in rows:
            fn(*row)
        # Every _run compiles as a unit's first sight of its text does: the repeats here would
        # otherwise hit the unit's compile cache, which a child empties at every reset.
        T._snippet_cache.clear()
        c = time.perf_counter()
        r = T._run(code, entry, key, 1000000, 2000)
        d = time.perf_counter()
        T._result_json(r)
        e = time.perf_counter()
        T._snippet_cache.clear()
        T._run(code, entry, key, 1000000, 2000)
        # The same snippet on one input: what does not grow with the inputs.
        one = key + ":1"
        T._snippet_cache.clear()
        f = time.perf_counter()
        T._run(code, entry, one, 1000000, 2000)
        g = time.perf_counter()
        t[0] += b - a; t[1] += c - b; t[2] += d - c; t[3] += e - d; t[4] += g - f
    return [x / repeat * 1e6 for x in t]
`);
  const set = inputSet(["int"], inputs, 0, { min: -100, max: 100 });
  const register = py.globals.get("T").register_inputs as (...a: unknown[]) => unknown;
  register(set.key, JSON.stringify(set.types), JSON.stringify(set.values));
  register(`${set.key}:1`, JSON.stringify(set.types), JSON.stringify(set.values.slice(0, 1)));
  const parts = py.globals.get("parts") as (...a: unknown[]) => { toJs(): number[] };
  const sum = [0, 0, 0, 0, 0];
  for (const pass of [0, 1]) {
    for (const row of rows) {
      const t = parts(row.code, row.entry, set.key, 3).toJs();
      if (pass === 1) for (let i = 0; i < sum.length; i++) sum[i] += t[i];
    }
  }
  const [compileUs, bareUs, tracedUs, jsonUs, oneInputUs] = sum.map((x) => x / rows.length);
  return { compileUs, bareUs, tracedUs, jsonUs, oneInputUs };
}

export default async function bench(args: string[]): Promise<void> {
  const o = parseArgs(args);
  const rows = affineRows(o.functions, o.variants, 0);
  const calls = rows.length * o.inputs;
  console.log(
    `trace bench: ${o.functions} functions × ${o.variants} variants × ${o.inputs} inputs = ${calls} calls, ${o.workers} workers`,
  );
  const pool = new TracerPool({ workers: o.workers });
  // Units of trust: every row alone (the default of `tracecode trace`), or a function and its
  // variants together, as the functions of one source file share a unit in `tracecode index`.
  const levels = {
    row: undefined,
    file: (row: FunctionRow) => row.group,
  } as const;
  try {
    console.log(
      `  load average at start: ${loadavg()
        .map((x) => x.toFixed(1))
        .join(", ")}`,
    );
    // The first start may make the start-up snapshot (once per build); later ones load it.
    let t0 = performance.now();
    await pool.start();
    const first = (performance.now() - t0) / 1000;
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) starts.push(await poolStart(o.workers));
    console.log(
      `  pool start (${o.workers} Pyodide children, ready for jobs): median ${median(starts).toFixed(2)} s of ${starts.map((x) => x.toFixed(2)).join(", ")} (goal ≤ 2 s); first start of this run ${first.toFixed(2)} s`,
    );
    // WebAssembly tiers up in the background: warm up, then take the best of three passes.
    await traceFunctions(rows, { pool, inputs: o.inputs });
    const rates: Record<string, number> = {};
    for (const [level, unitOf] of Object.entries(levels)) {
      let ours = Number.POSITIVE_INFINITY;
      let classes = 0;
      // CPU time over the three passes: the children's (from /proc) and this process's.
      const children0 = descendantsCpuMs();
      const parent0 = process.cpuUsage();
      for (let pass = 0; pass < 3; pass++) {
        t0 = performance.now();
        const traced = await traceFunctions(rows, { pool, inputs: o.inputs, unitOf });
        ours = Math.min(ours, (performance.now() - t0) / 1000);
        classes = new Set(traced.map((t) => t.traceClass)).size;
      }
      const parentCpu = process.cpuUsage(parent0);
      const perSnippetUs = (ms: number) => ((ms * 1000) / (rows.length * 3)).toFixed(0);
      rates[level] = calls / ours;
      console.log(
        `  tracecode, ${level} isolation (Pyodide, sys.monitoring): ${ours.toFixed(3)} s, ${Math.round(rates[level]).toLocaleString("en")} calls/s, ${classes} trace classes; CPU per snippet: children ${perSnippetUs(descendantsCpuMs() - children0)} µs, parent ${perSnippetUs((parentCpu.user + parentCpu.system) / 1000)} µs`,
      );
    }
    const single = new TracerPool({ workers: 1 });
    let perReset = 0;
    try {
      perReset = await resetCost(single, 1000);
      console.log(
        `  interpreter reset (1 child, 1000 one-call jobs, own unit vs one unit): ${(perReset * 1000).toFixed(2)} ms per reset (goal ≤ 10 ms)`,
      );
    } finally {
      await single.close();
    }
    const inputs = generateInputs(["int"], o.inputs, 0);
    let natSeconds = Number.POSITIVE_INFINITY;
    let natCalls = 0;
    for (let pass = 0; pass < 3; pass++) {
      const nat = await native(rows, inputs, o.workers);
      natSeconds = Math.min(natSeconds, nat.seconds);
      natCalls = nat.calls;
    }
    const natRate = natCalls / natSeconds;
    console.log(
      `  native python3 (sys.settrace, ${o.workers} processes): ${natSeconds.toFixed(3)} s, ${Math.round(natRate).toLocaleString("en")} calls/s`,
    );
    for (const [level, rate] of Object.entries(rates)) {
      console.log(`  ratio native/tracecode, ${level} isolation: ${(natRate / rate).toFixed(2)}×`);
    }
    console.log(
      `  load average at end: ${loadavg()
        .map((x) => x.toFixed(1))
        .join(", ")}`,
    );
    if (o.profile) {
      const p = await childProfile(rows, o.inputs);
      const us = (x: number) => `${x.toFixed(0)} µs`;
      const perSnippet = (rate: number) => ((o.inputs / rate) * o.workers * 1e6).toFixed(0);
      console.log(
        `  per snippet, one child (${o.inputs} calls): ${perSnippet(rates.file)} µs at file isolation, ${perSnippet(rates.row)} µs at row isolation (reset ${us(perReset * 1e6)})`,
      );
      console.log(
        `    tracer.py _run: ${us(p.tracedUs)} (${us(p.oneInputUs)} of it on one input: parse, policy, compile, block tables, events on and off, define); result JSON ${us(p.jsonUs)}`,
      );
      console.log(
        `    bare Python in the same interpreter: parse + policy + compile ${us(p.compileUs)}, define + ${o.inputs} calls ${us(p.bareUs)}`,
      );
      console.log(
        `    so per call under the tracer: ${((p.tracedUs - p.oneInputUs) / (o.inputs - 1)).toFixed(1)} µs; the rest of the child's time per snippet (messages, JSON parse of jobs, the parent's turn): ${us(Number(perSnippet(rates.file)) - p.tracedUs - p.jsonUs)}`,
      );
    }
  } finally {
    await pool.close();
  }
}
