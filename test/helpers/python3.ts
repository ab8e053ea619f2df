/**
 * Test helpers: run snippets in the machine's native `python3` to check semantics
 * independently of the sandboxed tracer. For tests only; the product never spawns python3.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import type { FunctionRow, TraceRow } from "../../src/data/index.js";
import type { TraceFn } from "../../src/synth/index.js";

const RUNNER = `
import json, sys, builtins
job = json.load(sys.stdin)
out = {}
for row in job["rows"]:
    ns = {"__name__": "snippet", "__builtins__": builtins}
    try:
        exec(compile(row["code"], row["id"], "exec"), ns)
        fn = ns[row["entry"]]
    except BaseException as e:
        out[row["id"]] = {"error": type(e).__name__ + ": " + str(e)}
        continue
    results = []
    for x in job["inputs"]:
        try:
            results.append(repr(fn(x)))
        except Exception as e:
            results.append("raise:" + type(e).__name__)
    out[row["id"]] = {"outputs": results}
json.dump(out, sys.stdout)
`;

export interface NativeResult {
  outputs?: string[];
  error?: string;
}

/** Runs every row's entry on each int input in one python3 process. */
export function runInPython3(
  rows: readonly Pick<FunctionRow, "id" | "code" | "entry">[],
  inputs: readonly number[],
): Map<string, NativeResult> {
  const stdout = execFileSync("python3", ["-c", RUNNER], {
    input: JSON.stringify({ rows, inputs }),
    encoding: "utf8",
    maxBuffer: 1 << 28,
    timeout: 60_000,
  });
  return new Map(Object.entries(JSON.parse(stdout) as Record<string, NativeResult>));
}

/** The integers lo..hi. */
export function intRange(lo: number, hi: number): number[] {
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

/**
 * A `TraceFn` at the `io` level backed by native python3: `ioClass` hashes the outputs on
 * `inputs`. Lets `verifyDataset` run in tests without the sandbox.
 */
export function python3IoTrace(inputs: readonly number[] = intRange(-100, 100)): TraceFn {
  return async (rows) => {
    const results = runInPython3(rows, inputs);
    return rows.map((row): TraceRow => {
      const r = results.get(row.id);
      if (!r?.outputs)
        return {
          id: row.id,
          status: "syntax_error",
          error: r?.error,
          level: "io",
          traceClass: null,
          ioClass: null,
          runs: [],
        };
      const ioClass = createHash("sha256")
        .update(JSON.stringify(r.outputs))
        .digest("hex")
        .slice(0, 16);
      return { id: row.id, status: "ok", level: "io", traceClass: ioClass, ioClass, runs: [] };
    });
  };
}
