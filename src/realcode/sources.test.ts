import {
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmdirSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
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
    const { files, skipped } = listSourceFiles([join(root, "pkg"), rows]);
    expect(files.map((f) => f.slice(root.length))).toEqual([
      "/pkg/maths.py",
      "/pkg/sub/strings.py",
      "/rows.jsonl",
    ]);
    expect(skipped).toEqual([]);
  });

  it("skips what it cannot read of an untrusted folder, with the reason, and lists the rest", () => {
    const dir = join(root, "hostile");
    write("hostile/ok.py", "def f(x: int) -> int:\n    return x\n");
    // A name that is not UTF-8 (no path could open it again) and a path too long to list.
    mkdirSync(join(Buffer.from(`${dir}/bad\xff`, "latin1").toString("latin1")), {
      recursive: true,
    });
    writeFileSync(Buffer.from(`${dir}/n\xffme.py`, "latin1"), "def g(): pass\n");
    // Nested deeper than a path can name: each step wraps the tree in one more folder, so every
    // call uses a short path.
    const top = join(dir, "deep");
    mkdirSync(top);
    for (let i = 0; i < 300; i++) {
      mkdirSync(join(dir, "wrap"));
      renameSync(top, join(dir, "wrap", "dddddddddddddddd"));
      renameSync(join(dir, "wrap"), top);
    }
    const { files, skipped } = listSourceFiles([dir]);
    // Unwrapped again: no call can remove a tree deeper than a path can name.
    for (let i = 0; i < 300; i++) {
      renameSync(join(top, "dddddddddddddddd"), join(dir, "wrap"));
      rmdirSync(top);
      renameSync(join(dir, "wrap"), top);
    }
    expect(files).toEqual([join(dir, "ok.py")]);
    expect(skipped).toContainEqual(
      expect.stringMatching(/n.me\.py: its name is not valid UTF-8; not indexed$/),
    );
    expect(skipped).toContainEqual(
      expect.stringMatching(/: cannot list this folder \(ENAMETOOLONG\); not indexed$/),
    );
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

describe("readSource", () => {
  it("reads no .py file larger than any source file is", () => {
    const huge = write("huge/big.py", "");
    truncateSync(huge, 17 * 1024 * 1024);
    expect(() => readSource(huge)).toThrow(/larger than 16 MiB, not a source file to index/);
  });
});

describe("candidatesOf", () => {
  it("runs only the definition a name is bound to: earlier ones are said to be redefined", async () => {
    const file = write(
      "dup/dup.py",
      "from typing import overload\n\ndef f(x: int) -> int:\n    return x + 1\n\ndef f(x: int) -> int:\n    return x * 100\n\n" +
        "class P:\n    @property\n    def v(self) -> int:\n        return 1\n\n    @v.setter\n    def v(self, value: int) -> None:\n        pass\n",
    );
    const { candidates } = await candidatesOf(readSource(file));
    const rows = candidates.map((c) => [c.name, c.line, c.args, c.problem]);
    expect(rows).toContainEqual([
      "f",
      3,
      null,
      "redefined at line 6: the name f is bound to that definition, so this one cannot be called",
    ]);
    expect(rows).toContainEqual(["f", 6, ["int"], undefined]);
    // A property's setter is not a redefinition of its getter.
    expect(candidates.find((c) => c.name === "P.v")?.problem).toBeUndefined();
  });

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
