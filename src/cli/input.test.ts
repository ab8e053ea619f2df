/** Reading a functions file: which rows gave no `args`, only when a command asks. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { type IndexFunctionRow, writeRows } from "../data/index.js";
import { readFunctionsFile } from "./input.js";

const dir = mkdtempSync(join(tmpdir(), "tracecode-input-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("names the rows without args (a byte-order mark and all) when asked, and nothing otherwise", async () => {
  const file = join(dir, "f.jsonl");
  const rows = [
    { id: "typed", code: "def f(x):\n    return x\n", args: ["str"] },
    { id: "untyped", code: "def f(x):\n    return x\n" },
  ];
  writeFileSync(file, `\uFEFF${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
  const asked = await readFunctionsFile(file, "test", "--in", { findWithoutArgs: true });
  expect(asked.rows.map((r) => [r.id, r.args])).toEqual([
    ["typed", ["str"]],
    ["untyped", ["int"]],
  ]);
  expect([...asked.withoutArgs]).toEqual(["untyped"]);
  expect([...(await readFunctionsFile(file, "test", "--in")).withoutArgs]).toEqual([]);
});

it("names an index's export as such, in JSONL and Parquet: it holds the results, not functions", async () => {
  const row: IndexFunctionRow = {
    file: "/src/m.py",
    line: 1,
    name: "f",
    kind: "function",
    rowId: null,
    family: null,
    code: "def f(x):\n    return x\n",
    args: ["int"],
    argsFrom: "inferred",
    signature: null,
    status: "ok",
    problem: null,
    error: null,
    ioClass: "c",
    behaviour: "b",
    outputs: ["1"],
    embedding: [0.5, 0.5],
  };
  for (const name of ["export.jsonl", "export.parquet"]) {
    const file = join(dir, name);
    await writeRows(file, "index", [row]);
    await expect(readFunctionsFile(file, "embed", "--in")).rejects.toThrow(
      `--in ${file}: an index export (tracecode index --export), not a functions file`,
    );
  }
});
