import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DataError,
  FunctionRow,
  readJsonl,
  readJsonlLenient,
  writeFileAtomic,
  writeJsonl,
} from "./index.js";

const dir = () => mkdtempSync(join(tmpdir(), "tracecode-jsonl-"));

describe("jsonl", () => {
  it("round-trips rows and fills schema defaults", () => {
    const path = join(dir(), "f.jsonl");
    writeJsonl(path, [{ id: "a", group: "a", code: "def f(x): return x" }]);
    const rows = readJsonl(path, FunctionRow);
    expect(rows).toEqual([
      {
        id: "a",
        group: "a",
        code: "def f(x): return x",
        transforms: [],
        split: "train",
        seed: 0,
        entry: "f",
        args: ["int"],
      },
    ]);
  });

  it("reads a file that starts with a byte-order mark", () => {
    const path = join(dir(), "bom.jsonl");
    writeFileSync(path, '\uFEFF{"id": "a", "code": "x"}\n{"id": "b", "code": "y"}\n');
    expect(readJsonl(path, FunctionRow).map((r) => r.id)).toEqual(["a", "b"]);
  });

  it("leaves no temp file behind", () => {
    const d = dir();
    writeJsonl(join(d, "x.jsonl"), [{ a: 1 }]);
    expect(readdirSync(d)).toEqual(["x.jsonl"]);
  });

  it("removes its temp file when the write fails, and names the path", () => {
    const d = dir();
    mkdirSync(join(d, "taken"));
    // Renaming a file over a directory fails (EISDIR), even for root.
    expect(() => writeFileAtomic(join(d, "taken"), "x")).toThrow(
      /cannot write .*taken: (EISDIR|ENOTEMPTY|EEXIST|EPERM)/,
    );
    expect(readdirSync(d)).toEqual(["taken"]);
  });

  it("keeps control characters exact", () => {
    const path = join(dir(), "c.jsonl");
    const code = 'def f(x):\n    raise ValueError("\x1b[2J\n#  1  fake\x9b\x7f")';
    writeJsonl(path, [{ id: "\x1b[2J", group: "g", code }]);
    const [row] = readJsonl(path, FunctionRow);
    expect(row.id).toBe("\x1b[2J");
    expect(row.code).toBe(code);
  });

  it("names the file and line of a bad row and keeps the good ones", () => {
    const path = join(dir(), "bad.jsonl");
    writeFileSync(
      path,
      '{"id":"a","group":"a","code":"x"}\n{nope\n{"id":"b","group":"b","code":1}\n',
    );
    const { rows, errors } = readJsonlLenient(path, FunctionRow);
    expect(rows.map((r) => r.id)).toEqual(["a"]);
    expect(errors[0]).toMatch(/bad\.jsonl:2: not valid JSON/);
    expect(errors[1]).toMatch(/bad\.jsonl:3: .* at "code"/);
    expect(() => readJsonl(path, FunctionRow)).toThrow(DataError);
  });

  it("reports a missing file clearly", () => {
    expect(() => readJsonl("/nonexistent/f.jsonl", FunctionRow)).toThrow(/cannot read/);
  });
});
