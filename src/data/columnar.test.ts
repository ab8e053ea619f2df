/**
 * Parquet corpora: trace and function rows round-trip through a Parquet file exactly, DuckDB
 * reads the file as nested columns with plain SQL, reads stream in batches, and bad input is
 * named.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sql } from "../../test/helpers/duckdb.js";
import {
  type CorpusFunctionRow,
  DataError,
  FunctionRow,
  formatOf,
  loadDataset,
  openDataset,
  openRowWriter,
  readAllRows,
  readJsonl,
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

  it("round-trips the real-code training corpus and the coverage corpus, readable with SQL", async () => {
    const realcode = readJsonl(join(process.cwd(), "data", "realcode-train.jsonl"), FunctionRow);
    const rc = join(dir, "realcode.parquet");
    await writeRows(rc, "functions", realcode);
    expect((await readAllRows(rc, "functions")).rows).toEqual(realcode);
    const families = await sql(`SELECT count(DISTINCT family) AS n FROM read_parquet('${rc}')`);
    expect(Number(families[0].n)).toBe(new Set(realcode.map((r) => r.family)).size);

    const corpus: CorpusFunctionRow[] = [
      {
        module: "textwrap",
        line: 12,
        name: "TextWrapper.wrap",
        kind: "method",
        code: "def wrap(self, text):\n    return self._wrap_chunks(text)\n",
        args: ["str"],
        argsFrom: "inferred",
        signature: '{"params":[{"name":"text","type":"str","from":"usage"}]}',
        status: "ok",
        behaviour: "b1",
      },
      {
        module: "colorsys",
        line: 3,
        name: "f",
        kind: null,
        code: "def f(*a): pass\n",
        args: null,
        argsFrom: "hints",
        signature: null,
        status: "no_inputs",
        error: "cannot be called",
      },
    ];
    const cf = join(dir, "corpus.parquet");
    await writeRows(cf, "corpus", corpus);
    expect((await readAllRows(cf, "corpus")).rows).toEqual(corpus);
    expect(
      await sql(`SELECT module, name, args[1] AS first, status FROM read_parquet('${cf}')`),
    ).toEqual([
      { module: "textwrap", name: "TextWrapper.wrap", first: "str", status: "ok" },
      { module: "colorsys", name: "f", first: null, status: "no_inputs" },
    ]);
  });

  it("opens a dataset directory of Parquet files as the same dataset as its JSONL form", async () => {
    const functions = traces
      .slice(0, 40)
      .map((t, i) =>
        FunctionRow.parse({ id: t.id, group: `g${i % 4}`, code: `def f(x):\n    return ${i}\n` }),
      );
    const j = join(dir, "ds-jsonl");
    const p = join(dir, "ds-parquet");
    await writeRows(join(j, "functions.jsonl"), "functions", functions);
    await writeRows(join(j, "traces.jsonl"), "traces", traces.slice(0, 40));
    await writeRows(join(p, "functions.parquet"), "functions", functions);
    await writeRows(join(p, "traces.parquet"), "traces", traces.slice(0, 40));
    const fromParquet = await openDataset(p);
    expect({ ...fromParquet, dir: j }).toEqual(loadDataset(j));
    // Both forms of one file: refused, whichever pair it is (they may be of different data).
    await writeRows(join(p, "traces.jsonl"), "traces", traces.slice(40, 80));
    await expect(openDataset(p)).rejects.toThrow(
      /both traces\.jsonl and traces\.parquet are there, which may hold different data: remove the one not meant/,
    );
    rmSync(join(p, "traces.jsonl"));
    await writeRows(join(p, "functions.jsonl"), "functions", functions.slice(1));
    await expect(openDataset(p)).rejects.toThrow(/both functions\.jsonl and functions\.parquet/);
    rmSync(join(p, "functions.jsonl"));
    rmSync(join(p, "traces.parquet"));
    await expect(openDataset(p)).rejects.toThrow(/traces\.jsonl is missing \(run tracecode trace/);
  });

  it("writes and reads many rows in small pieces with bounded memory (counted)", async () => {
    const path = join(dir, "many.parquet");
    const rows = 10_000;
    const row = (i: number) =>
      JSON.stringify(
        FunctionRow.parse({
          id: `r${i}`,
          group: `g${i % 97}`,
          code: `def f(x):\n    # ${"x".repeat(200)}\n    return x * ${i} + ${"1".repeat(i % 50)}\n`,
          seed: i,
        }),
      );
    const writer = openRowWriter(path, "functions");
    let written = 0;
    for (let i = 0; i < rows; i++) {
      const line = row(i);
      written += line.length + 1;
      writer.writeLine(line);
    }
    await writer.close();
    // 3 MB of rows went through, at most 1 Mi characters (and one row) of them in memory.
    expect(written).toBeGreaterThan(3_000_000);
    expect(writer.peakBufferedChars).toBeLessThanOrEqual((1 << 20) + 400);
    // Reading holds one batch: 500 rows asked, plus at most one DuckDB vector (2048 rows).
    let seen = 0;
    let largest = 0;
    for await (const batch of readRows(path, "functions", { batchRows: 500 })) {
      expect(batch.errors).toEqual([]);
      expect(batch.rows[0].id).toBe(`r${seen}`);
      seen += batch.rows.length;
      largest = Math.max(largest, batch.rows.length);
    }
    expect(seen).toBe(rows);
    expect(largest).toBeLessThanOrEqual(500 + 2048);
  });
});
