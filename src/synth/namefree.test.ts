/**
 * The name-free transform: behaviour preserved (run in native python3 before and after), no
 * defined name left, docstrings and comments gone, foreign names kept.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { intRange, runInPython3 } from "../../test/helpers/python3.js";
import { NameFreeError, nameFree, stripDocsAndComments } from "./namefree.js";
import { BUILTINS, KEYWORDS } from "./names.js";
import { descendants, initPython, withTree } from "./syntax.js";

beforeAll(initPython);

/** Identifiers other than attribute names (`obj.name` keeps its name). */
const identifiers = (code: string) =>
  withTree(code, (root) =>
    descendants(root)
      .filter(
        (n) =>
          n.type === "identifier" &&
          !(n.parent?.type === "attribute" && n.parent.childForFieldName("attribute")?.id === n.id),
      )
      .map((n) => n.text),
  );

/** Scopes, closures, globals, keywords, classes, shadowed builtins, imports, the walrus. */
const TRICKY = `"""Module docstring."""
import math
from functools import reduce as fold

LIMIT = 7  # a module constant
counter = 0


class Box:
    """A box."""

    scale = 3

    def __init__(self, size, extra=0):
        self.size = size + extra

    def grown(self, by=1):
        return Box(self.size, extra=by).size * self.scale


def helper(value, *rest, step=2, **options):
    # a comment line
    total = value
    for item in rest:
        total += item * step
    return total + len(options)


def shadows(max):
    return max + 1


def count_calls():
    global counter
    counter += 1
    return counter


def entry_point(n):
    """Entry docstring.

    >>> entry_point(3)
    """
    "a string used as a comment"
    acc = []

    def inner(k):
        nonlocal acc
        acc = acc + [k]
        return len(acc)

    squares = [y * y for y in range(abs(n) % LIMIT) if (z := y) >= 0]
    lam = lambda a, b=LIMIT: a + b  # noqa: E731
    try:
        ratio = LIMIT // (n % 3)
    except ZeroDivisionError as error:
        ratio = len(type(error).__name__)
    box = Box(size=n)
    picked = helper(n, 1, 2, step=3, flag=True)
    biggest = max(squares, default=-1)
    total = fold(lambda x, y: x + y, squares, 0)
    return (inner(n), inner(ratio), lam(n), box.grown(by=2), picked, shadows(n), biggest,
            total, z if squares else None, math.floor(n / 2), count_calls() > 0, "LIMIT")
`;

/** Names TRICKY defines (module, classes, functions, parameters, locals). */
// biome-ignore format: a list reads better packed
const DEFINED = [
  "LIMIT", "counter", "Box", "size", "extra", "by", "helper", "value", "rest", "step",
  "options", "total", "item", "shadows", "count_calls", "entry_point", "n", "acc", "inner",
  "k", "squares", "y", "z", "lam", "a", "b", "ratio", "error", "box", "picked", "biggest", "x",
];
/** Names it uses but does not define, or defines as attributes (methods, class attributes). */
const KEPT = ["math", "fold", "abs", "range", "len", "max", "type", "self", "scale", "grown"];

describe("nameFree", () => {
  it("keeps the behaviour of scopes, closures, keywords, classes and imports", () => {
    const nf = nameFree(TRICKY, "entry_point");
    const results = runInPython3(
      [
        { id: "plain", code: TRICKY, entry: "entry_point" },
        { id: "free", code: nf.code, entry: nf.entry },
      ],
      intRange(-20, 20),
    );
    expect(results.get("plain")?.error).toBeUndefined();
    expect(results.get("free")?.outputs).toEqual(results.get("plain")?.outputs);
  });

  it("leaves no name the code defines, and keeps builtins, imports and attributes", () => {
    const nf = nameFree(TRICKY, "entry_point");
    const ids = new Set(identifiers(nf.code));
    // `self` is a parameter like any other: renamed; `scale` and `grown` are attributes.
    for (const name of [...DEFINED, "self"]) expect(ids.has(name), name).toBe(false);
    for (const name of KEPT.filter((k) => k !== "self"))
      expect(ids.has(name) || nf.code.includes(`.${name}`), name).toBe(true);
    expect(nf.entry).toMatch(/^f\d+$/);
    expect(nf.renamed.entry_point).toBe(nf.entry);
    expect(nf.renamed.Box).toMatch(/^c\d+$/);
    expect(nf.renamed.LIMIT).toMatch(/^v\d+$/);
    // Literals stay, the string "LIMIT" included.
    expect(nf.code).toContain('"LIMIT"');
    // The local `max` parameter is renamed, the builtin `max` elsewhere is not.
    expect(nf.renamed.max).toMatch(/^v\d+$/);
    expect(nf.code).toContain("max(");
  });

  it("removes docstrings, string statements and comments, and nothing else", () => {
    const stripped = stripDocsAndComments(TRICKY);
    expect(stripped).not.toMatch(/docstring|#|a string used as a comment|A box/);
    expect(stripped).toContain('"LIMIT"');
    withTree(stripped, (root) => expect(root.hasError).toBe(false));
    // A body that was only a docstring keeps a statement.
    expect(stripDocsAndComments('def f(x):\n    """Only a docstring."""\n')).toBe(
      "def f(x):\n    pass\n",
    );
    // An f-string statement may run code: kept.
    expect(stripDocsAndComments('def f(x):\n    f"{g(x)}"\n    return x\n')).toContain('f"{g(x)}"');
  });

  it("keeps a dunder entry's name", () => {
    const nf = nameFree("def __getattr__(name):\n    return name\n", "__getattr__");
    expect(nf).toEqual({
      code: "def __getattr__(v1):\n    return v1\n",
      entry: "__getattr__",
      renamed: { name: "v1" },
    });
  });

  it("says what is wrong with code it cannot transform", () => {
    expect(() => nameFree("def f(x):\n    return x\n", "g")).toThrow(NameFreeError);
    expect(() => nameFree("def f(x):\n    return x\n", "g")).toThrow(
      /no top-level function named g/,
    );
    expect(() => nameFree("def f(x:\n", "f")).toThrow(/not valid Python/);
  });

  it("makes every function of the dev set name-free with the same outputs", () => {
    const rows = readFileSync(new URL("../../data/realcode-dev.jsonl", import.meta.url), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { id: string; code: string; entry: string; args: string[] });
    const jobs = rows.flatMap((r) => {
      const nf = nameFree(r.code, r.entry);
      const ids = new Set(identifiers(nf.code));
      for (const name of Object.keys(nf.renamed))
        expect(ids.has(name), `${r.id}: ${name}`).toBe(false);
      // Every name left is neutral, a builtin, a keyword-like constant or imported.
      for (const id of ids)
        expect(
          /^[fcv]\d+$/.test(id) ||
            BUILTINS.includes(id) ||
            KEYWORDS.includes(id) ||
            new RegExp(`^(from|import) [^\\n]*\\b${id}\\b`, "m").test(nf.code),
          `${r.id}: ${id}`,
        ).toBe(true);
      return [
        { id: `${r.id}`, code: r.code, entry: r.entry, args: r.args },
        { id: `${r.id}~`, code: nf.code, entry: nf.entry, args: r.args },
      ];
    });
    const out = runTyped(jobs);
    for (const r of rows) {
      expect(out[r.id].length, r.id).toBeGreaterThan(0);
      expect(out[`${r.id}~`], r.id).toEqual(out[r.id]);
    }
  });
});

/** Sample arguments per dev-set type, enough to tell the families' functions apart. */
const SAMPLES: Record<string, unknown[]> = {
  int: [-12, -1, 0, 1, 7, 100, 9875],
  nonneg_int: [0, 1, 9, 10, 145, 9875],
  pos_int: [1, 2, 12, 40, 121],
  small_nonneg_int: [0, 1, 2, 5, 10, 20],
  str: ["", "a", "ab", "aba", "abba", "Abc1"],
};

/** Each row's entry on the product of its argument samples, in native python3. */
function runTyped(
  jobs: { id: string; code: string; entry: string; args: string[] }[],
): Record<string, string[]> {
  const runner = `
import itertools, json, sys
out = {}
for job in json.load(sys.stdin):
    ns = {"__name__": "snippet"}
    exec(compile(job["code"], job["id"], "exec"), ns)
    fn = ns[job["entry"]]
    results = []
    for args in itertools.product(*job["samples"]):
        try:
            results.append(repr(fn(*args)))
        except Exception as e:
            results.append("raise:" + type(e).__name__)
    out[job["id"]] = results
json.dump(out, sys.stdout)
`;
  const input = JSON.stringify(
    jobs.map((j) => ({ ...j, samples: j.args.map((a) => SAMPLES[a] ?? []) })),
  );
  return JSON.parse(
    execFileSync("python3", ["-c", runner], { input, encoding: "utf8", timeout: 60_000 }),
  ) as Record<string, string[]>;
}
