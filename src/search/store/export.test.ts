/**
 * Index exports and Parquet functions files: an exported index holds, row for row, what the
 * SQLite store holds (read back with DuckDB SQL), and the same functions rows indexed from JSONL
 * and from Parquet give the same index.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sql } from "../../../test/helpers/duckdb.js";
import { writeTinyModel } from "../../../test/helpers/tiny-model.js";
import {
  type FunctionRowInput,
  type IndexFunctionRow,
  readAllRows,
  writeJsonl,
  writeRows,
} from "../../data/index.js";
import { TracerPool } from "../../python/index.js";
import { type IndexSummary, indexPaths } from "../index.js";
import { exportIndex, IndexStore } from "./index.js";

const root = mkdtempSync(join(tmpdir(), "tracecode-export-"));
const pool = new TracerPool({ workers: 2 });
afterAll(async () => {
  await pool.close();
  rmSync(root, { recursive: true, force: true });
});

const INPUTS = 12;

describe("tracecode index --export", () => {
  const src = join(root, "src");
  mkdirSync(src);
  writeFileSync(
    join(src, "maths.py"),
    `def double(x: int) -> int:
    return 2 * x

def twice(y: int) -> int:
    return y + y

def boom(n: int) -> int:
    return n // 0

def untyped(a):
    return a

class Box:
    def __init__(self, v):
        self.v = v

    def get(self, k: int) -> int:
        return self.v + k
`,
  );
  const dir = join(root, "idx");
  const model = writeTinyModel(join(root, "model"));

  it("writes one row per stored function, equal to the store's, that DuckDB reads with SQL", async () => {
    await indexPaths([src], dir, { model, inputs: INPUTS, pool });
    const store = IndexStore.open(dir, { readonly: true });
    const stored = [...store.eachFunction()];
    store.close();
    expect(stored.length).toBeGreaterThanOrEqual(5);

    const parquet = join(root, "index.parquet");
    expect((await exportIndex(dir, parquet)).rows).toBe(stored.length);
    const rows = await sql(
      `SELECT name, status, behaviour, kind, argsFrom, error, problem, len(outputs)::INT AS outputs,
              len(embedding)::INT AS dim, embedding[1]::DOUBLE AS e1
       FROM read_parquet('${parquet}')`,
    );
    expect(rows).toEqual(
      stored.map((f) => ({
        name: f.name,
        status: f.status,
        behaviour: f.behaviour ?? null,
        kind: f.kind ?? null,
        argsFrom: f.argsFrom,
        error: f.error ?? null,
        problem: f.problem ?? null,
        outputs: f.outputs?.length ?? null,
        dim: f.embedding?.length ?? null,
        e1: f.embedding ? f.embedding[0] : null,
      })),
    );
    // Something of each kind is there to compare: a class, a failure, an embedding.
    expect(stored.some((f) => f.behaviour)).toBe(true);
    expect(stored.some((f) => f.status === "always_raises")).toBe(true);
    expect(stored.every((f) => f.embedding?.length === 16)).toBe(true);
    const [classes] = await sql(
      `SELECT count(DISTINCT behaviour)::INT AS n FROM read_parquet('${parquet}')`,
    );
    expect(classes.n).toBe(new Set(stored.flatMap((f) => (f.behaviour ? [f.behaviour] : []))).size);

    // The same rows as JSONL, and each read back whole (embeddings as float32 exactly).
    const jsonl = join(root, "index.jsonl");
    await exportIndex(dir, jsonl);
    const fromParquet = await readAllRows(parquet, "index");
    const fromJsonl = await readAllRows(jsonl, "index");
    expect(fromParquet.errors).toEqual([]);
    expect(fromParquet.rows).toEqual(fromJsonl.rows);
    // Each output beside the arguments it answers.
    for (const r of fromJsonl.rows as IndexFunctionRow[])
      expect(r.inputs?.length ?? null).toBe(r.outputs?.length ?? null);
    const twice = (fromJsonl.rows as IndexFunctionRow[]).find((r) => r.name === "twice");
    expect(twice?.inputs?.[0]).toHaveLength(1);
    expect(twice?.outputs?.[0]).toBe(String(2 * Number(twice?.inputs?.[0][0])));
    expect(fromParquet.rows.map((r) => r.embedding)).toEqual(
      stored.map((f) => (f.embedding ? Array.from(f.embedding) : null)),
    );
  });

  it("streams a large index with bounded memory (counted)", async () => {
    const big = join(root, "idx-big");
    const store = IndexStore.open(big, { create: true });
    const N = 4000;
    const body = "    x = x + 1\n".repeat(60);
    store.transaction(() => {
      for (let f = 0; f < N / 100; f++)
        store.replaceFile(
          `/code/m${f}.py`,
          `h${f}`,
          Array.from({ length: 100 }, (_, i) => ({
            line: 1 + i * 70,
            name: `f${i}`,
            code: `def f${i}(x):\n${body}    return x\n`,
            args: '["int"]',
            argsFrom: "inferred" as const,
            status: "ok",
            behaviour: `b${i % 7}`,
            outputs: ["1", "2"],
            embedding: new Float32Array(64).fill(i / 100),
          })),
        );
    });
    store.close();
    const jsonl = join(root, "big.jsonl");
    const parquet = join(root, "big.parquet");
    const j = await exportIndex(big, jsonl);
    const p = await exportIndex(big, parquet);
    const chars = readFileSync(jsonl, "utf8").length;
    expect(j.rows).toBe(N);
    expect(chars).toBeGreaterThan(4 << 20);
    // The writer flushes past 1 Mi characters: it held at most that plus one row, not the index.
    expect(p.peakBufferedChars).toBeLessThan((1 << 20) + 4096);
    const [count] = await sql(
      `SELECT count(*)::INT AS n, count(DISTINCT file)::INT AS files, count(DISTINCT behaviour)::INT AS classes
       FROM read_parquet('${parquet}')`,
    );
    expect(count).toEqual({ n: N, files: N / 100, classes: 7 });
  });

  it("names the index it cannot open", async () => {
    await expect(exportIndex(join(root, "nowhere"), join(root, "x.parquet"))).rejects.toThrow(
      /nowhere/,
    );
  });
});

describe("tracecode index of a Parquet functions file", () => {
  const rows: FunctionRowInput[] = [
    { id: "a", code: "def f(x):\n    return x + 1\n", args: ["int"], family: "inc" },
    { id: "b", code: "def f(x):\n    return 1 + x\n", args: ["int"], family: "inc" },
    { id: "c", code: "def g(s: str) -> str:\n    return s.upper()\n", entry: "g" },
    { id: "d", code: "def f(x):\n    return x[0]\n", args: ["int"] },
    { id: "e", code: "def h(n):\n    return n\n", entry: "h" },
  ];

  const summaryOf = (s: IndexSummary) => ({
    functions: s.functions,
    executed: s.executed,
    noInputs: s.noInputs,
    failed: s.failed,
    behaviours: s.behaviours,
    report: s.report,
    problems: s.problems.map((p) => ({ ...p, file: "F" })),
    errors: s.errors,
  });

  const storedOf = (dir: string) => {
    const store = IndexStore.open(dir, { readonly: true });
    try {
      return [...store.eachFunction()].map((f) => ({
        line: f.line,
        name: f.name,
        rowId: f.rowId,
        family: f.family,
        args: f.args,
        argsFrom: f.argsFrom,
        problem: f.problem,
        status: f.status,
        behaviour: f.behaviour,
      }));
    } finally {
      store.close();
    }
  };

  it("gives the same index as the same rows in JSONL, a row without args using the hints", async () => {
    const jsonl = join(root, "rows.jsonl");
    const parquet = join(root, "rows.parquet");
    writeJsonl(jsonl, rows);
    await writeRows(parquet, "functions", rows);
    const a = await indexPaths([jsonl], join(root, "idx-jsonl"), {
      model: null,
      inputs: INPUTS,
      pool,
    });
    const b = await indexPaths([parquet], join(root, "idx-parquet"), {
      model: null,
      inputs: INPUTS,
      pool,
    });
    expect(summaryOf(b)).toEqual(summaryOf(a));
    const stored = storedOf(join(root, "idx-parquet"));
    expect(stored).toEqual(storedOf(join(root, "idx-jsonl")));
    expect(stored.map((f) => [f.rowId, f.argsFrom, f.args])).toEqual([
      ["a", "row", '["int"]'],
      ["b", "row", '["int"]'],
      ["c", "hints", '["str"]'],
      ["d", "row", '["int"]'],
      ["e", "hints", null],
    ]);
    expect(b.functions).toBe(5);
  });
});
