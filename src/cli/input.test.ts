/** Reading a functions file: which rows gave no `args`, only when a command asks. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
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
