/**
 * The tracer's fast block tables (`block_table`, read from the raw bytecode) must give exactly
 * the leaders and entries of `basic_blocks` (built from dis Instructions), or traces would
 * change. Checked on every code object of a few stdlib modules and of snippets that use every
 * kind of control flow. Trusted code only, so it runs in a Pyodide of this process.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const SNIPPETS = [
  "def f(x):\n    match x:\n        case [a, *b] if a: return b\n        case {'k': v}: return v\n        case int(): return 0\n    return None\n",
  "async def f(x):\n    async with x as y:\n        async for z in y:\n            await z\n    return [i async for i in x]\n",
  "def f(x):\n    try:\n        return 1 / x\n    except* ValueError:\n        pass\n    finally:\n        x = 2\n",
  "def f(x):\n    while x:\n        x -= 1\n        if x == 3: break\n        if x == 5: continue\n    else:\n        return -1\n    yield from range(x)\n",
  "def f(x):\n    with open(x) as a, open(x) as b:\n        return (lambda q: q and a or b)(x)\n",
  `def f(x):\n${Array.from({ length: 300 }, (_, i) => `    if x == ${i}: x = x * ${i} + ${i * 1000}\n`).join("")}    return x\n`,
];

describe("fast block tables", () => {
  it("equal basic_blocks on stdlib modules and control-flow snippets", async () => {
    const { loadPyodide } = await import("pyodide");
    const py = await loadPyodide({ stdout: () => {}, stderr: () => {} });
    py.globals.set("_src", readFileSync(new URL("./tracer.py", import.meta.url), "utf8"));
    py.globals.set("_snippets", SNIPPETS);
    const result = py.runPython(`
import types
T = types.ModuleType("_t")
exec(compile(_src, "tracer.py", "exec"), T.__dict__)
import dis, fractions, json.decoder, statistics, inspect
sources = [inspect.getsource(m) for m in (dis, fractions, json.decoder, statistics)]
sources += list(_snippets)
codes = []
for s in sources:
    T._all_codes(compile(s, "<m>", "exec"), codes)
bad = []
for c in codes:
    want = ([b[0] for b in T.basic_blocks(c)], [b[1] for b in T.basic_blocks(c)])
    if T.block_table(c) != want:
        bad.append(c.co_name)
[len(codes), bad]
`) as { toJs(): [number, string[]] };
    const [count, bad] = result.toJs();
    expect(count).toBeGreaterThan(250);
    expect(bad).toEqual([]);
  });
});
