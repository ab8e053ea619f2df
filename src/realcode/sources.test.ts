import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { candidatesOf, contentHash, listSourceFiles, pythonText, readSource } from "./index.js";

const root = mkdtempSync(join(tmpdir(), "tracecode-sources-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const write = (rel: string, text: string) => {
  const p = join(root, rel);
  mkdirSync(join(p, ".."), { recursive: true });
  writeFileSync(p, text);
  return p;
};

const maths = write(
  "pkg/maths.py",
  `import math
from typing import Optional

def _sq(x: int) -> int:
    return x * x

def sum_sq(n: int) -> int:
    return sum(_sq(i) for i in range(n + 1))

def mean(xs: list[float]) -> float:
    return math.fsum(xs) / len(xs)

def maybe(s: Optional[str]) -> int:
    return len(s or "")

def lookup(d: dict[str, int], k: str) -> int:
    return d[k]

def untyped(a, b):
    return a + b
`,
);
write("pkg/sub/strings.py", "def rev(s: str) -> str:\n    return s[::-1]\n");
write("pkg/.venv/lib.py", "def hidden(x: int) -> int:\n    return x\n");
write("pkg/__pycache__/x.py", "def cached(x: int) -> int:\n    return x\n");
write("pkg/notes.jsonl", "{}\n");
const rows = write(
  "rows.jsonl",
  [
    JSON.stringify({ id: "a", code: "def f(x: int) -> int:\n    return x\n" }),
    JSON.stringify({ id: "b", code: "def g(x):\n    return x\n", entry: "g", args: ["str"] }),
    JSON.stringify({ id: "c", code: "def h(x):\n    return x\n", entry: "h" }),
    "not json",
    JSON.stringify({ id: "d", code: "def f(x):\n    return x\n", args: ["complex"] }),
    JSON.stringify({
      id: "e",
      family: "id",
      code: "def k(q: list[str]) -> int:\n    return 0\n",
      entry: "k",
    }),
  ].join("\n"),
);

describe("pythonText", () => {
  it("reads source as Python does: UTF-8 without its mark, a declared encoding, else refused", () => {
    const bom = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from("def f(x):\r\n    return x\r\n"),
    ]);
    expect(pythonText(bom)).toBe("def f(x):\r\n    return x\r\n");
    const latin = Buffer.concat([
      Buffer.from("# -*- coding: latin-1 -*-\ndef caf"),
      Buffer.from([0xe9]),
      Buffer.from("(x):\n    return x\n"),
    ]);
    expect(pythonText(latin)).toContain("def café(x):");
    const undeclared = Buffer.concat([
      Buffer.from("def caf"),
      Buffer.from([0xe9]),
      Buffer.from("(x): pass\n"),
    ]);
    expect(() => pythonText(undeclared)).toThrow(
      /not valid utf-8 and no coding declaration: Python refuses the file too/,
    );
    expect(() => pythonText(Buffer.from("# coding: klingon\nx = 1\n"))).toThrow(
      /unknown encoding klingon \(its coding declaration\)/,
    );
  });
});

describe("contentHash", () => {
  it("hashes its parts as their concatenation (a model id hashes spec then weights)", () => {
    const [a, b] = [Buffer.from("model.json"), Buffer.from([0, 1, 2, 255])];
    expect(contentHash(a, b)).toBe(contentHash(Buffer.concat([a, b])));
    expect(contentHash(a, b)).not.toBe(contentHash(b, a));
    expect(contentHash("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });
});

describe("listSourceFiles", () => {
  it("takes the .py files of folders (not hidden or cache folders) and named .jsonl files", () => {
    const files = listSourceFiles([join(root, "pkg"), rows]).map((f) => f.slice(root.length));
    expect(files).toEqual(["/pkg/maths.py", "/pkg/sub/strings.py", "/rows.jsonl"]);
  });

  it("rejects missing paths and other file types", () => {
    expect(() => listSourceFiles([join(root, "nope")])).toThrow(/no such file or directory/);
    expect(() => listSourceFiles([join(root, "pkg/notes.jsonl"), join(root, "x.txt")])).toThrow(
      /no such file/,
    );
    write("x.txt", "");
    expect(() => listSourceFiles([join(root, "x.txt")])).toThrow(
      /not a \.py, \.jsonl or \.parquet file/,
    );
  });
});

describe("candidatesOf", () => {
  it("maps type hints, carries helpers and imports, and records why inputs cannot be drawn", async () => {
    const { candidates, errors } = await candidatesOf(readSource(maths));
    expect(errors).toEqual([]);
    const by = Object.fromEntries(candidates.map((c) => [c.name, c]));
    expect(Object.keys(by)).toEqual(["_sq", "sum_sq", "mean", "maybe", "lookup", "untyped"]);
    expect(by.sum_sq.args).toEqual(["int"]);
    expect(by.sum_sq.line).toBe(7);
    expect(by.sum_sq.code).toContain("def _sq(x: int)");
    expect(by.sum_sq.code).toMatch(/^import math\s+from typing import Optional\s+def _sq/);
    expect(by.mean.args).toEqual(["list[float]"]);
    expect(by.maybe.args).toEqual(["optional[str]"]);
    expect(by.lookup.args).toEqual(["dict[str,int]", "str"]);
    // No hints: inferred from the body (`a + b`), with the evidence kept.
    expect(by.untyped).toMatchObject({ args: ["int", "int"], argsFrom: "inferred" });
    expect(by.untyped.inference?.candidates[0].params[0]).toMatchObject({
      name: "a",
      from: "usage",
      why: "a + …",
    });
    expect(by.untyped.inference?.certain).toBe(false);
    expect(candidates.filter((c) => c.argsFrom === "hints").map((c) => c.name)).toEqual([
      "_sq",
      "sum_sq",
      "mean",
      "maybe",
      "lookup",
    ]);
  });

  it("reads .jsonl rows: args from the row, else from the hints; bad rows reported", async () => {
    const { candidates, errors } = await candidatesOf(readSource(rows));
    expect(candidates.map((c) => [c.rowId, c.name, c.line, c.args, c.argsFrom])).toEqual([
      ["a", "f", 1, ["int"], "hints"],
      ["b", "g", 2, ["str"], "row"],
      ["c", "h", 3, null, "hints"],
      ["e", "k", 6, ["list[str]"], "hints"],
    ]);
    expect(candidates[2].problem).toBe('parameter "x" has no type hint');
    expect(candidates[3].family).toBe("id");
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/rows\.jsonl:4: not valid JSON/);
    expect(errors[1]).toMatch(/rows\.jsonl:5: .* at "args\.0"/);
  });
});
