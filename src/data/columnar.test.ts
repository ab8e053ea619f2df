/**
 * Parquet corpora: trace and function rows round-trip through a Parquet file exactly, DuckDB
 * reads the file as nested columns with plain SQL, reads stream in batches, and bad input is
 * named.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import {
  DataError,
  FunctionRow,
  formatOf,
  readAllRows,
  readRows,
  type TraceRow,
  writeRows,
} from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "tracecode-columnar-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const traces: TraceRow[] = Array.from({ length: 2500 }, (_, i) =>
  i % 7 === 3
    ? {
        id: `t${i}`,
        status: "syntax_error",
        error: `line ${i}: 'quotes' and "doubles", ünïcode ✓`,
        level: "trace",
        traceClass: null,
        ioClass: null,
        runs: [],
      }
    : {
        id: `t${i}`,
        status: "ok",
        level: "io",
        traceClass: `c${i % 13}`,
        ioClass: `io${i % 5}`,
        runs: Array.from({ length: 3 }, (_, k) => ({
          input: [String(k - i), "'s\\n'"],
          blocks: [0, 1, k],
          values: ["", "raise:ValueError", `[${k},${i}]`],
          output: k === 2 ? "raise:ZeroDivisionError" : String(i * k),
          truncated: k === 1,
        })),
      },
);

async function sql(query: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(query)).getRowObjectsJS();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe("Parquet corpora", () => {
  it("round-trips trace rows exactly, and DuckDB reads them as nested columns", async () => {
    const path = join(dir, "traces.parquet");
    await writeRows(path, "traces", traces);
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
    const back = await readAllRows(path, "traces");
    expect(back.errors).toEqual([]);
    expect(back.rows).toEqual(traces);
    const [summary] = await sql(
      `SELECT count(*)::INT AS n, sum(len(runs))::INT AS runs,
              count(*) FILTER (WHERE status = 'ok')::INT AS ok,
              max(runs[2]."values"[2]) FILTER (WHERE id = 't11') AS v
       FROM read_parquet('${path}')`,
    );
    expect(summary).toEqual({
      n: 2500,
      runs: 3 * traces.filter((t) => t.status === "ok").length,
      ok: traces.filter((t) => t.status === "ok").length,
      v: "raise:ValueError",
    });
    // Reads stream in batches of about the size asked for.
    const sizes: number[] = [];
    for await (const b of readRows(path, "traces", { batchRows: 1000 })) sizes.push(b.rows.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(2500);
    expect(Math.max(...sizes)).toBeLessThan(2500);
  });

  it("round-trips function rows, keeps the same bytes for the same rows, and names bad input", async () => {
    const functions = [
      FunctionRow.parse({ id: "a", group: "g", code: "def f(x):\n    return x\n", seed: 7 }),
      FunctionRow.parse({ id: "b", code: "def h(s): return s", entry: "h", args: ["str"] }),
    ];
    const one = join(dir, "f1.parquet");
    const two = join(dir, "f2.parquet");
    await writeRows(one, "functions", functions);
    await writeRows(two, "functions", functions);
    expect((await readAllRows(one, "functions")).rows).toEqual(functions);
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(one).equals(readFileSync(two))).toBe(true);

    // A row the schema refuses is described by file and row; the rest are read.
    const bad = join(dir, "bad.parquet");
    await writeRows(bad, "functions", [functions[0], { ...functions[1], args: ["complex"] }]);
    const r = await readAllRows(bad, "functions");
    expect(r.rows.map((x) => x.id)).toEqual(["a"]);
    expect(r.errors).toEqual([expect.stringMatching(/bad\.parquet: row 2: .* at "args\.0"/)]);

    const notParquet = join(dir, "text.parquet");
    writeFileSync(notParquet, "not parquet");
    await expect(readAllRows(notParquet, "functions")).rejects.toThrow(DataError);
    await expect(readAllRows(notParquet, "functions")).rejects.toThrow(/text\.parquet/);
    expect(formatOf("x.PARQUET")).toBe("parquet");
    expect(formatOf("x.jsonl")).toBe("jsonl");
    expect(existsSync(join(dir, "never.parquet"))).toBe(false);
  });
});
