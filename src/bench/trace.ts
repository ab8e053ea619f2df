/**
 * `npm run bench -- trace [--workers 2] [--functions 20] [--variants 16] [--inputs 100]`:
 * traced calls per second through `traceFunctions` on the paper's data shape, against the same
 * block tracing done by native `python3` with `sys.settrace` (same number of processes), in
 * the same run. Variants are renamed affine functions made here, so the benchmark does not
 * depend on the generator.
 */
import { spawn } from "node:child_process";
import type { FunctionRow } from "../data/index.js";
import { generateInputs, TracerPool, traceFunctions } from "../python/index.js";
import { Random } from "../random/index.js";
import { benchPython } from "./side-by-side.js";

function parseArgs(args: string[]): Record<string, number> {
  const out: Record<string, number> = { workers: 2, functions: 20, variants: 16, inputs: 100 };
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i].replace(/^--/, "");
    const value = Number(args[i + 1]);
    if (!(key in out) || !Number.isInteger(value) || value < 1) {
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
    let t0 = performance.now();
    await traceFunctions(rows.slice(0, o.workers), { pool, inputs: o.inputs });
    console.log(
      `  pool start (${o.workers} Pyodide children): ${((performance.now() - t0) / 1000).toFixed(2)} s`,
    );
    // WebAssembly tiers up in the background: warm up, then take the best of three passes.
    await traceFunctions(rows, { pool, inputs: o.inputs });
    const rates: Record<string, number> = {};
    for (const [level, unitOf] of Object.entries(levels)) {
      let ours = Number.POSITIVE_INFINITY;
      let classes = 0;
      for (let pass = 0; pass < 3; pass++) {
        t0 = performance.now();
        const traced = await traceFunctions(rows, { pool, inputs: o.inputs, unitOf });
        ours = Math.min(ours, (performance.now() - t0) / 1000);
        classes = new Set(traced.map((t) => t.traceClass)).size;
      }
      rates[level] = calls / ours;
      console.log(
        `  tracecode, ${level} isolation (Pyodide, sys.monitoring): ${ours.toFixed(3)} s, ${Math.round(rates[level]).toLocaleString("en")} calls/s, ${classes} trace classes`,
      );
    }
    const single = new TracerPool({ workers: 1 });
    try {
      const perReset = await resetCost(single, 1000);
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
  } finally {
    await pool.close();
  }
}
