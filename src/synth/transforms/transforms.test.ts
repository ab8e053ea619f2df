import { beforeAll, describe, expect, it } from "vitest";
import { intRange, runInPython3 } from "../../../test/helpers/python3.js";
import { Random } from "../../random/index.js";
import { BUILTINS, isReserved, KEYWORDS, SOFT_KEYWORDS } from "../names.js";
import { analyseFunction } from "../scope.js";
import { descendants, findFunction, initPython, isValidPython, withTree } from "../syntax.js";
import { alwaysTrueIf, duplicateBranch, forToWhile, invertIf } from "./blocks.js";
import type { Snippet } from "./common.js";
import { commutableOperations, commute, commuteNode } from "./commute.js";
import { deadAssignment } from "./dead-code.js";
import { addComment, blankLines, docstring, whitespace } from "./layout.js";
import { applyTransform, TRANSFORM_NAMES, TRANSFORMS } from "./registry.js";
import { rename, renameWith } from "./rename.js";
import { reorder } from "./reorder.js";
import * as rewrites from "./rewrites/index.js";
import { tempConstant, tempExpression } from "./temporaries.js";

beforeAll(initPython);

const f = (body: string, entry = "f"): Snippet => ({ code: `def ${entry}(x):\n${body}`, entry });

/** Every result of `t` over `seeds` seeds (nulls dropped), distinct. */
function outcomes(
  t: (s: Snippet, r: Random) => Snippet | null,
  s: Snippet,
  seeds = 200,
): Snippet[] {
  const seen = new Map<string, Snippet>();
  for (let i = 0; i < seeds; i++) {
    const out = t(s, new Random(i));
    if (out) seen.set(`${out.entry}\n${out.code}`, out);
  }
  return [...seen.values()];
}

/** Leaf token texts, comments and docstrings left out: what layout changes must keep. */
function tokens(code: string): string[] {
  return withTree(code, (root) =>
    descendants(root)
      .filter((n) => n.childCount === 0 && n.type !== "comment" && n.parent?.type !== "string")
      .filter((n) => !(n.type === "string_start" || n.type === "string_end"))
      .map((n) => n.text)
      .filter((t) => t.trim() !== ""),
  );
}

/** Asserts every snippet computes what `reference` does on −30..30 (one python3 run). */
function expectSameBehaviour(reference: Snippet, variants: Snippet[]): void {
  const rows = [reference, ...variants].map((s, i) => ({
    id: `s${i}`,
    code: s.code,
    entry: s.entry,
  }));
  const results = runInPython3(rows, intRange(-30, 30));
  const expected = results.get("s0")?.outputs;
  expect(expected).toBeDefined();
  rows.slice(1).forEach((r, i) => {
    expect(results.get(r.id)?.outputs, variants[i].code).toEqual(expected);
  });
}

describe("rename", () => {
  const src = f("    y = x + 1\n    return y * 2\n");

  it("renames the function, parameters and locals exactly", () => {
    const out = renameWith(src, {
      function: "g",
      variables: new Map([
        ["x", "a"],
        ["y", "b"],
      ]),
    });
    expect(out).toEqual({ code: "def g(a):\n    b = a + 1\n    return b * 2\n", entry: "g" });
  });

  it("renames recursive calls along with the definition, but not a shadowing local", () => {
    const rec: Snippet = {
      code: "def f(n):\n    if n <= 0:\n        return 0\n    return f(n - 1) + 1\n",
      entry: "f",
    };
    expect(renameWith(rec, { function: "count", variables: new Map() })?.code).toBe(
      "def count(n):\n    if n <= 0:\n        return 0\n    return count(n - 1) + 1\n",
    );
    const shadow: Snippet = {
      code: "def f(x):\n    f = x + 1\n    return f\n\ny = f(2)\n",
      entry: "f",
    };
    expect(renameWith(shadow, { function: "g", variables: new Map() })?.code).toBe(
      "def g(x):\n    f = x + 1\n    return f\n\ny = g(2)\n",
    );
  });

  it("refuses names that would capture a builtin, keyword, soft keyword or another name", () => {
    const code = f("    n = len(str(x))\n    return n + abs(x)\n");
    for (const bad of [
      "len",
      "str",
      "abs",
      "print",
      "range",
      "if",
      "return",
      "match",
      "case",
      "_",
      "type",
      "n",
    ]) {
      expect(renameWith(code, { variables: new Map([["x", bad]]) }), bad).toBeNull();
    }
    expect(renameWith(code, { function: "len", variables: new Map() })).toBeNull();
    expect(renameWith(code, { variables: new Map([["len", "size"]]) })).toBeNull(); // a builtin, not bound here
  });

  it("picks fresh names over many seeds: never reserved, never clashing, builtins untouched", () => {
    const code = f(
      "    n = len(str(x))\n    total = n + abs(x)\n    for i in range(n):\n        total = total + i\n    return total\n",
    );
    const outs = outcomes((s, r) => rename(s, r), code, 300);
    expect(outs.length).toBeGreaterThan(50);
    for (const out of outs) {
      withTree(out.code, (root) => {
        expect(root.hasError).toBe(false);
        const fn = findFunction(root, out.entry)!;
        const scope = analyseFunction(fn)!;
        for (const name of [out.entry, ...scope.params, ...scope.locals]) {
          if (["x", "n", "total", "i", "f"].includes(name)) continue;
          expect(isReserved(name), name).toBe(false);
        }
        expect(new Set([...scope.params, ...scope.locals]).size).toBe(4);
        const calls = descendants(root)
          .filter((n) => n.type === "call")
          .map((c) => c.childForFieldName("function")?.text);
        expect(calls).toEqual(["len", "str", "abs", "range"]);
      });
    }
    expectSameBehaviour(code, outs);
  });
});

describe("commute", () => {
  it("swaps the operands of + and *", () => {
    expect(commute(f("    return x + 7\n"), new Random(0))?.code).toBe(
      "def f(x):\n    return 7 + x\n",
    );
    const code = "def f(x):\n    return x * 3 + 5\n";
    const ops = withTree(code, (root) =>
      commutableOperations(root, new Set(["x"])).map((n) => commuteNode(code, n)),
    );
    expect(ops.sort()).toEqual([
      "def f(x):\n    return 3 * x + 5\n",
      "def f(x):\n    return 5 + x * 3\n",
    ]);
  });

  it("parenthesises a moved left operation so the tree keeps its shape", () => {
    const code = "def f(x):\n    return x - 2 + 5\n";
    const outer = withTree(code, (root) =>
      commuteNode(code, commutableOperations(root, new Set(["x"]))[0]),
    );
    expect(outer).toBe("def f(x):\n    return 5 + (x - 2)\n");
  });

  it("leaves non-commutative, non-int and impure operands alone", () => {
    expect(commute(f("    return x - 7\n"), new Random(0))).toBeNull();
    expect(
      commute({ code: 'def f(x):\n    s = "a"\n    return s + "b"\n', entry: "f" }, new Random(0)),
    ).toBeNull();
    expect(commute(f("    return len(str(x)) + 1\n"), new Random(0))).toBeNull();
    expect(commute(f("    return x / 2 * 3\n"), new Random(0))).toBeNull();
  });
});

describe("reorder", () => {
  it("swaps two independent assignments", () => {
    const out = reorder(f("    a = x + 1\n    b = x * 2\n    return a - b\n"), new Random(0));
    expect(out?.code).toBe("def f(x):\n    b = x * 2\n    a = x + 1\n    return a - b\n");
  });

  it("never reorders dependent statements", () => {
    expect(reorder(f("    a = x + 1\n    b = a * 2\n    return b\n"), new Random(0))).toBeNull();
    expect(reorder(f("    a = x + 1\n    a = a * 2\n    return a\n"), new Random(0))).toBeNull();
    expect(reorder(f("    a = x\n    x = 3\n    return a + x\n"), new Random(0))).toBeNull();
    expect(
      reorder(
        f(
          "    acc = 0\n    i = 0\n    while i < 3:\n        acc += i\n        i += 1\n    return acc\n",
        ),
        new Random(1),
      )?.code,
    ).toBe(
      "def f(x):\n    i = 0\n    acc = 0\n    while i < 3:\n        acc += i\n        i += 1\n    return acc\n",
    );
  });

  it("produces exactly the legal orders of a dependency graph", () => {
    // a < b, c < d, b < d: linear extensions abcd (the original), acbd, cabd
    const src = f("    a = x\n    b = a + 1\n    c = x * 2\n    d = c + b\n    return d\n");
    const orders = outcomes((s, r) => reorder(s, r), src).map((o) =>
      o.code
        .split("\n")
        .slice(1, 5)
        .map((l) => l.trim()[0])
        .join(""),
    );
    expect(orders.sort()).toEqual(["acbd", "cabd"]);
  });

  it("does not move calls, returns, or statements across a barrier", () => {
    expect(
      reorder(f("    a = abs(x)\n    b = x + 1\n    return a + b\n"), new Random(0)),
    ).toBeNull();
    expect(
      reorder(
        f("    a = x + 1\n    if x > 0:\n        a = 2\n    b = x\n    return a + b\n"),
        new Random(0),
      ),
    ).toBeNull();
    expect(reorder(f("    a = x // 0\n    b = x % 0\n    return a\n"), new Random(0))).toBeNull();
  });
});

describe("temporaries", () => {
  it("hoists a constant into a fresh name before its statement", () => {
    const out = tempConstant(f("    return x + 7\n"), new Random(3))!;
    const [, assign, ret] = out.code.split("\n");
    const name = assign.trim().split(" = ")[0];
    expect(assign).toBe(`    ${name} = 7`);
    expect(ret).toBe(`    return x + ${name}`);
    expect(isReserved(name) || name === "x").toBe(false);
  });

  it("splits a pure sub-expression into an assignment", () => {
    const outs = outcomes(tempExpression, f("    return x * 3 + 5\n"));
    const shapes = outs.map((o) => {
      const [, assign, ret] = o.code.split("\n");
      const name = assign.trim().split(" = ")[0];
      const word = new RegExp(`\\b${name}\\b`);
      return `${assign.replace(word, "T")}|${ret.replace(word, "T")}`;
    });
    expect([...new Set(shapes)].sort()).toEqual([
      "    T = x * 3 + 5|    return T",
      "    T = x * 3|    return T + 5",
    ]);
  });

  it("never hoists from a while condition, an elif or a short-circuit", () => {
    expect(
      tempExpression(
        f("    i = 0\n    while i < x + 3:\n        i += 1\n    return i\n"),
        new Random(0),
      ),
    ).toBeNull();
    expect(
      tempExpression(
        f(
          "    if x > 0:\n        return 1\n    elif x < -(x * 2):\n        return 2\n    return 3\n",
        ),
        new Random(0),
      ),
    ).toBeNull();
    expect(tempExpression(f("    return x > 0 and x + 1 > 5\n"), new Random(0))).toBeNull();
    const hoisted = outcomes(
      tempConstant,
      f("    i = 0\n    while i < 3:\n        i += 1\n    return i\n"),
    );
    expectSameBehaviour(f("    i = 0\n    while i < 3:\n        i += 1\n    return i\n"), hoisted);
  });
});

describe("dead assignment and layout", () => {
  const src = f("    if x > 3:\n        return x * 2\n    else:\n        return 1 - x\n");

  it("inserts a fresh, never-read assignment only where it is reachable", () => {
    const outs = outcomes(deadAssignment, src);
    expect(outs.length).toBeGreaterThan(3);
    for (const o of outs) {
      const lines = o.code.split("\n");
      const added = lines.find((l) => !src.code.split("\n").includes(l))!;
      expect(lines.indexOf(added)).toBeLessThan(lines.length - 1);
      const prev = lines[lines.indexOf(added) - 1].trim();
      expect(prev.startsWith("return")).toBe(false);
      expect(lines.indexOf(added)).not.toBe(lines.length - 2); // not after the if/else that always returns
    }
    expectSameBehaviour(src, outs);
  });

  it("changes only layout: comments, docstrings, blank lines, spacing, indentation", () => {
    const loop = f(
      "    total = 0\n    for i in range(x % 4):\n        total = total + i * 2\n    return total\n",
    );
    for (const [t, input] of [
      [addComment, src],
      [docstring, src],
      [blankLines, loop],
      [whitespace, loop],
    ] as const) {
      const outs = outcomes(t, input, 60);
      expect(outs.length, t.name).toBeGreaterThan(1);
      for (const o of outs) {
        expect(isValidPython(o.code)).toBe(true);
        expect(tokens(o.code)).toEqual(tokens(input.code));
      }
      expectSameBehaviour(input, outs);
    }
  });

  it("re-indents consistently", () => {
    const outs = outcomes(whitespace, f("    if x > 0:\n        return 1\n    return 2\n"), 60);
    expect(outs.map((o) => o.code)).toContain("def f(x):\n  if x > 0:\n    return 1\n  return 2\n");
    expect(outs.map((o) => o.code)).toContain("def f(x):\n\tif x > 0:\n\t\treturn 1\n\treturn 2\n");
  });
});

describe("block transforms", () => {
  it("inverts an if/else", () => {
    expect(
      invertIf(f("    if x > 1:\n        return 1\n    else:\n        return 2\n"), new Random(0))
        ?.code,
    ).toBe("def f(x):\n    if not (x > 1):\n        return 2\n    else:\n        return 1\n");
    expect(
      invertIf(
        f(
          "    if x > 1:\n        return 1\n    elif x:\n        return 3\n    else:\n        return 2\n",
        ),
        new Random(0),
      ),
    ).toBeNull();
  });

  it("turns a for over range into a while", () => {
    expect(
      forToWhile(
        f("    t = 0\n    for i in range(3):\n        t += i\n    return t\n"),
        new Random(0),
      )?.code,
    ).toBe(
      "def f(x):\n    t = 0\n    i = 0\n    while i < 3:\n        t += i\n        i += 1\n    return t\n",
    );
    const dynamic = forToWhile(
      f("    t = 0\n    for i in range(1, x % 5):\n        t += i\n    return t\n"),
      new Random(0),
    )!;
    expect(dynamic.code).toMatch(
      /^def f\(x\):\n {4}t = 0\n {4}(\w+) = x % 5\n {4}i = 1\n {4}while i < \1:\n {8}t \+= i\n {8}i \+= 1\n/,
    );
    // the loop variable is read after the loop, or the body breaks: not equivalent, so refused
    expect(
      forToWhile(f("    for i in range(3):\n        pass\n    return i\n"), new Random(0)),
    ).toBeNull();
    expect(
      forToWhile(
        f(
          "    t = 0\n    for i in range(9):\n        if i > x:\n            break\n        t += 1\n    return t\n",
        ),
        new Random(0),
      ),
    ).toBeNull();
  });

  it("duplicates a branch and wraps statements in an always-true if, keeping behaviour", () => {
    const src = f(
      "    total = 0\n    step = x * 2\n    for i in range(x % 5):\n        total = total + step + i\n    return total\n",
    );
    const outs = [
      ...outcomes(duplicateBranch, src, 40),
      ...outcomes(alwaysTrueIf, src, 40),
      ...outcomes(forToWhile, src, 10),
      ...outcomes(invertIf, f("    if x > 1:\n        return x\n    else:\n        return 2\n"), 5),
    ];
    expect(outs.length).toBeGreaterThan(20);
    for (const o of outs) expect(isValidPython(o.code), o.code).toBe(true);
    expectSameBehaviour(src, outs.slice(0, -1));
  });
});

describe("registry", () => {
  it("documents every transform and skips rather than fails; scoped ones skip comprehensions", () => {
    for (const name of TRANSFORM_NAMES) {
      expect(TRANSFORMS[name].summary.length).toBeGreaterThan(5);
      expect(applyTransform(name, { code: "x = (", entry: "f" }, new Random(0))).toBeNull();
      // the structural rewrites are made for real code: comprehensions are among their patterns
      if (Object.values(rewrites).includes(TRANSFORMS[name].apply)) continue;
      expect(
        applyTransform(
          name,
          { code: "def f(x):\n    return [y for y in x]\n", entry: "f" },
          new Random(0),
        ),
      ).toBeNull();
    }
  });

  it("keeps reserved-name tables complete", () => {
    for (const n of ["len", "print", "range", "sum", "ExceptionGroup", "aiter"])
      expect(BUILTINS).toContain(n);
    for (const n of ["if", "return", "lambda", "yield"]) expect(KEYWORDS).toContain(n);
    for (const n of ["match", "case", "_", "type"]) expect(SOFT_KEYWORDS).toContain(n);
  });
});
