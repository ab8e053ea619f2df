/**
 * Every structural rewrite: on a small example it gives exactly the expected code, which
 * parses and behaves like the original when both run in the sandbox (one traceFunctions call
 * for all examples); on a near example it must not apply to, it gives nothing.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { FunctionRow, TraceRow } from "../../../data/index.js";
import { traceFunctions } from "../../../python/index.js";
import { Random } from "../../../random/index.js";
import { initPython, isValidPython } from "../../syntax.js";
import type { Snippet } from "../common.js";
import { applyTransform, TRANSFORMS, type TransformName } from "../registry.js";

interface Case {
  name: TransformName;
  args: string[];
  code: string;
  expected: string;
}

const def = (params: string, body: string) => `def f(${params}):\n${body}`;

const CASES: Case[] = [
  {
    name: "loop_to_comprehension",
    args: ["list[int]"],
    code: def(
      "xs",
      "    out = []\n    for v in xs:\n        if v > 0:\n            out.append(v * 2)\n    return out\n",
    ),
    expected: def("xs", "    out = [v * 2 for v in xs if v > 0]\n    return out\n"),
  },
  {
    name: "comprehension_to_loop",
    args: ["list[int]"],
    code: def("xs", "    return [v * 2 for v in xs if v > 0]\n"),
    expected: def(
      "xs",
      "    value = []\n    for v in xs:\n        if v > 0:\n            value.append(v * 2)\n    return value\n",
    ),
  },
  {
    name: "while_to_for",
    args: ["int"],
    code: def(
      "x",
      "    acc = 3\n    i = 0\n    while i <= 4:\n        acc += x * i\n        i += 2\n    return acc\n",
    ),
    expected: def(
      "x",
      "    acc = 3\n    for i in range(0, 4 + 1, 2):\n        acc += x * i\n    return acc\n",
    ),
  },
  {
    name: "early_return_to_flag",
    args: ["list[int]"],
    code: def("xs", "    for v in xs:\n        if v < 0:\n            return v\n    return 0\n"),
    expected: def(
      "xs",
      "    value = 0\n    for v in xs:\n        if v < 0:\n            value = v\n            break\n    return value\n",
    ),
  },
  {
    name: "flag_to_early_return",
    args: ["list[int]"],
    code: def(
      "xs",
      "    found = False\n    for v in xs:\n        if v < 0:\n            found = True\n            break\n    return found\n",
    ),
    expected: def(
      "xs",
      "    for v in xs:\n        if v < 0:\n            return True\n    return False\n",
    ),
  },
  {
    name: "if_to_conditional",
    args: ["int"],
    code: def("x", "    y = x * 3\n    if x >= -12:\n        y = y + 4\n    return y - 2\n"),
    expected: def("x", "    y = x * 3\n    y = y + 4 if x >= -12 else y\n    return y - 2\n"),
  },
  {
    name: "conditional_to_if",
    args: ["int"],
    code: def("x", "    y = x if x > 0 else -x\n    return y\n"),
    expected: def("x", "    if x > 0:\n        y = x\n    else:\n        y = -x\n    return y\n"),
  },
  {
    name: "builtin_to_loop",
    args: ["list[int]"],
    code: def("xs", "    return max(v % 7 for v in xs if v != 3)\n"),
    expected: def(
      "xs",
      "    value = None\n    right1 = False\n    for v in xs:\n        if v != 3:\n" +
        "            right = v % 7\n            if not right1 or right > value:\n" +
        "                value = right\n                right1 = True\n    if not right1:\n" +
        '        raise ValueError("max() iterable argument is empty")\n    return value\n',
    ),
  },
  {
    name: "loop_to_builtin",
    args: ["list[int]"],
    code: def(
      "xs",
      "    for v in xs:\n        if v % 5 == 0:\n            return False\n    return True\n",
    ),
    expected: def("xs", "    return all(not (v % 5 == 0) for v in xs)\n"),
  },
  {
    name: "swap_to_temp",
    args: ["list[int]"],
    code: def(
      "xs",
      "    xs = list(xs)\n    i, j = 0, len(xs) - 1\n    if j > 0:\n        xs[i], xs[j] = xs[j], xs[i]\n    return xs\n",
    ),
    expected: def(
      "xs",
      "    xs = list(xs)\n    i, j = 0, len(xs) - 1\n    if j > 0:\n        value = xs[i]\n" +
        "        xs[i] = xs[j]\n        xs[j] = value\n    return xs\n",
    ),
  },
  {
    name: "temp_to_swap",
    args: ["int", "int"],
    code: def("a, b", "    t = a\n    a = b\n    b = t\n    return a - b\n"),
    expected: def("a, b", "    a, b = b, a\n    return a - b\n"),
  },
  {
    name: "augmented_to_plain",
    args: ["int"],
    code: def("x", "    x -= 3 - x\n    return x\n"),
    expected: def("x", "    x = x - (3 - x)\n    return x\n"),
  },
  {
    name: "plain_to_augmented",
    args: ["int"],
    code: def("x", "    y = x * 3\n    y = y // 4\n    return y\n"),
    expected: def("x", "    y = x * 3\n    y //= 4\n    return y\n"),
  },
  {
    name: "format_string",
    args: ["int"],
    code: def("x", '    return f"x={x!r} {{x}} 100% {x - 1}"\n'),
    expected: def("x", '    return "x={!r} {{x}} 100% {}".format(x, x - 1)\n'),
  },
  {
    name: "extract_helper",
    args: ["int"],
    code: def("x", '    """Doc."""\n    y = x * 3 + 1\n    return y\n'),
    expected: def(
      "x",
      '    """Doc."""\n    def solve(x):\n        return x * 3\n    y = solve(x) + 1\n    return y\n',
    ),
  },
  {
    name: "inline_helper",
    args: ["int"],
    code: def("x", "    def h(a, b):\n        return a * b + a\n    return h(x, x - 1)\n"),
    expected: def("x", "    return (x * (x - 1) + x)\n"),
  },
  {
    name: "recursion_to_loop",
    args: ["small_nonneg_int"],
    code: def("n, acc=1", "    if n <= 1:\n        return acc\n    return f(n - 1, acc * n)\n"),
    expected: def(
      "n, acc=1",
      "    while not (n <= 1):\n        n, acc = n - 1, acc * n\n    return acc\n",
    ),
  },
  {
    name: "loop_to_recursion",
    args: ["small_nonneg_int"],
    code: def("n, acc=1", "    while n > 1:\n        n, acc = n - 1, acc * n\n    return acc\n"),
    expected: def(
      "n, acc=1",
      "    if not (n > 1):\n        return acc\n    return f(n - 1, acc * n)\n",
    ),
  },
];

/** Near misses of each pattern that a rewrite must leave alone, and why. */
const REFUSALS: [TransformName, string, string][] = [
  [
    "loop_to_comprehension",
    "a break ends the loop early",
    def(
      "xs",
      "    out = []\n    for v in xs:\n        if v < 0:\n            break\n        out.append(v)\n    return out\n",
    ),
  ],
  [
    "loop_to_comprehension",
    "the loop variable is read after the loop",
    def("xs", "    out = []\n    for v in xs:\n        out.append(v)\n    return out, v\n"),
  ],
  [
    "comprehension_to_loop",
    "the loop would overwrite a local of the same name",
    def("xs", "    v = 1\n    ys = [v * 2 for v in xs]\n    return v + len(ys)\n"),
  ],
  [
    "while_to_for",
    "the bound changes inside the loop",
    def("n", "    i = 0\n    while i < n:\n        n -= 1\n        i += 1\n    return n\n"),
  ],
  [
    "early_return_to_flag",
    "the value after the loop is not a literal",
    def("xs", "    for v in xs:\n        if v < 0:\n            return v\n    return len(xs)\n"),
  ],
  [
    "early_return_to_flag",
    "the return is in a nested loop (break would leave only that one)",
    def(
      "xs",
      "    for v in xs:\n        for w in xs:\n            if v < w:\n                return v\n    return 0\n",
    ),
  ],
  [
    "flag_to_early_return",
    "the flag is read inside the loop",
    def(
      "xs",
      "    found = 0\n    for v in xs:\n        if v < found:\n            found = v\n            break\n    return found\n",
    ),
  ],
  [
    "if_to_conditional",
    "a branch has two statements",
    def("x", "    if x > 0:\n        x = x + 1\n        return x\n    return -x\n"),
  ],
  [
    "if_to_conditional",
    "a lone assignment to a name that may be unbound",
    def("x", "    if x > 0:\n        y = 1\n    return x\n"),
  ],
  [
    "conditional_to_if",
    "the conditional is inside a larger expression",
    def("x", "    return 1 + (x if x > 0 else -x)\n"),
  ],
  [
    "builtin_to_loop",
    "the call is part of a larger expression",
    def("xs", "    return sum(v for v in xs) + 1\n"),
  ],
  [
    "builtin_to_loop",
    "a keyword argument (key=) changes what is compared",
    def("xs", "    return max(xs, key=abs)\n"),
  ],
  [
    "builtin_to_loop",
    "sum is rebound in the module",
    `${def("xs", "    return sum(xs)\n")}\n\nsum = len\n`,
  ],
  [
    "loop_to_builtin",
    "the loop variable is read after the loop",
    def("xs", "    total = 0\n    for v in xs:\n        total += v\n    return total + v\n"),
  ],
  ["swap_to_temp", "not a swap", def("a, b, c", "    a, b = b, c\n    return a\n")],
  [
    "swap_to_temp",
    "an index holds a call",
    def("xs, g", "    xs[g()], xs[0] = xs[0], xs[g()]\n    return xs\n"),
  ],
  [
    "temp_to_swap",
    "the temporary is read later",
    def("a, b", "    t = a\n    a = b\n    b = t\n    return t\n"),
  ],
  [
    "augmented_to_plain",
    "the target holds a call",
    def("xs, g", "    xs[g()] += 1\n    return xs\n"),
  ],
  [
    "plain_to_augmented",
    "the target is not the left operand",
    def("x", "    x = 2 - x\n    return x\n"),
  ],
  ["format_string", "%d is not str()", def("x", '    return "%d" % (x,)\n')],
  ["format_string", "a self-documenting field", def("x", '    return f"{x=}"\n')],
  ["extract_helper", "no operator expression to extract", def("xs", "    return len(xs)\n")],
  [
    "inline_helper",
    "an argument with a call feeds a parameter used twice",
    def("x, g", "    def h(a):\n        return a * a\n    return h(g(x))\n"),
  ],
  [
    "recursion_to_loop",
    "the recursive call is not in tail position",
    def("n", "    if n <= 1:\n        return 1\n    return n * f(n - 1)\n"),
  ],
  [
    "loop_to_recursion",
    "the loop assigns a local that is not a parameter",
    def("n", "    k = 0\n    while n > 1:\n        n, k = n - 1, k + n\n    return k\n"),
  ],
];

const snippet = (code: string): Snippet => ({ code, entry: "f" });
let traces: Map<string, TraceRow>;

beforeAll(async () => {
  await initPython();
  const rows: FunctionRow[] = CASES.flatMap((c, i) =>
    [c.code, c.expected].map((code, j) => ({
      id: `${i}/${j}`,
      group: String(i),
      code,
      transforms: [],
      split: "train" as const,
      seed: 0,
      entry: "f",
      args: c.args,
    })),
  );
  const traced = await traceFunctions(rows, {
    inputs: 40,
    range: { min: -50, max: 50 },
    level: "io",
  });
  traces = new Map(traced.map((t) => [t.id, t]));
}, 120_000);

describe("structural rewrites", () => {
  it("cover every rewrite of the registry that is not trace-preserving and not older", () => {
    const older = ["duplicate_branch", "always_true_if", "invert_if", "for_to_while"];
    const rewrites = Object.entries(TRANSFORMS)
      .filter(([n, t]) => !t.preservesTrace && !older.includes(n))
      .map(([n]) => n);
    expect(new Set(CASES.map((c) => c.name))).toEqual(new Set(rewrites));
  });

  it.each(CASES.map((c, i) => [c.name, c, i] as const))(
    "%s: gives the expected code, which behaves the same",
    (_, c, i) => {
      const out = applyTransform(c.name, snippet(c.code), new Random(0));
      expect(out?.code).toBe(c.expected);
      expect(isValidPython(c.expected)).toBe(true);
      const before = traces.get(`${i}/0`);
      const after = traces.get(`${i}/1`);
      expect(before?.status, before?.error).toBe("ok");
      expect(after?.status, after?.error).toBe("ok");
      expect(after?.ioClass).toBe(before?.ioClass);
    },
  );

  it.each(REFUSALS)("%s does not apply when %s", (name, _why, code) => {
    for (let seed = 0; seed < 5; seed++) {
      expect(applyTransform(name, snippet(code), new Random(seed))).toBeNull();
    }
  });
});
