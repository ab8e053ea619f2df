/**
 * Honest verdicts for code the sandbox refuses in part: in module context the policy refuses
 * the function whose body reads frames, not its class, so the class's other methods get a
 * behaviour class, and a function or method that reaches the refused body on every call is
 * counted "not run: the sandbox refuses …", never "always raises". A file that is not valid
 * Python is named with its line, whatever the parser could read of it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { TracerPool } from "../python/index.js";
import { indexPaths } from "./index.js";

const root = mkdtempSync(join(tmpdir(), "tracecode-refused-"));
const pool = new TracerPool({ workers: 2 });
afterAll(async () => {
  await pool.close();
  rmSync(root, { recursive: true, force: true });
});

it("counts a function that reaches a refused body on every call as refused, not as always raising", async () => {
  const src = join(root, "src");
  mkdirSync(src);
  writeFileSync(
    join(src, "frames.py"),
    `class Walker:
    def __init__(self, n):
        self.n = n

    def double(self):
        return self.n * 2

    def lineno(self):
        return self.n.__closure__


def _frame(tb):
    return tb.__globals__


def uses_frame(n: int) -> int:
    return _frame(n) is None


def sometimes(n: int) -> int:
    return _frame(n) if n > 1000 else n + 1


def register(cls):
    return cls.__code__


@register
class Registered:
    def one(self):
        return 1
`,
  );
  const s = await indexPaths([src], join(root, "idx"), { model: null, inputs: 6, pool });
  const refusal = "attribute '__globals__' is not allowed";
  expect(s.report.functions).toMatchObject({ total: 4, behaviour: 1, always_raises: 0 });
  expect(s.report.functions.reasons.not_run).toEqual({
    [`the sandbox refuses the function's definition (${refusal})`]: 1,
    [`the sandbox refuses the definition of a function it calls (${refusal})`]: 1,
    "the sandbox refuses the function's definition (attribute '__code__' is not allowed)": 1,
  });
  expect(s.report.methods).toMatchObject({ total: 3, behaviour: 1, always_raises: 0 });
  expect(s.report.methods.reasons.not_run).toEqual({
    "the sandbox refuses the method's definition (attribute '__closure__' is not allowed)": 1,
    // The class statement ran the refused decorator.
    "not defined: its class's definition calls a function the sandbox refuses (attribute '__code__' is not allowed)": 1,
  });
  const reasons = Object.fromEntries(s.problems.map((p) => [p.name, `${p.status}: ${p.reason}`]));
  expect(reasons.uses_frame).toMatch(
    /^limit: refused: the sandbox refuses the definition of a function it calls .*\(def _frame, line 12, refused/,
  );
  expect(reasons.sometimes).toBeUndefined();
}, 120_000);

it("runs a function its module deletes after use, bound again for the call", async () => {
  const src = join(root, "deleted");
  mkdirSync(src);
  writeFileSync(
    join(src, "kernels.py"),
    `_specs = {}


def register(name):
    def deco(builder):
        _specs[name] = builder()
        return builder
    return deco


@register("one")
def kernel():
    return 1


del kernel


def count(n: int) -> int:
    return n + len(_specs)
`,
  );
  const s = await indexPaths([src], join(root, "idx-deleted"), { model: null, inputs: 6, pool });
  // kernel ran at import (registered, then deleted): its def's function is bound again for its
  // own calls, so it gets a behaviour class beside register and count.
  expect(s.report.functions.reasons.not_run).toEqual({});
  expect(s.report.functions.behaviour).toBe(3);
}, 120_000);

it("names a file that is not valid Python with the error's line, also when no function could be read", async () => {
  const src = join(root, "broken");
  mkdirSync(src);
  writeFileSync(
    join(src, "half.py"),
    "def a(x):\n    return x\n\ndef broken(x:\n  return\n\ndef c(y):\n    return y * 3\n",
  );
  writeFileSync(join(src, "none.py"), "def broken(x:\n  return\n");
  const s = await indexPaths([src], join(root, "idx-broken"), { model: null, inputs: 2, pool });
  expect(s.warnings).toEqual([
    `${join(src, "half.py")}:4: not valid Python ("def broken(x:"), so it cannot be imported and none of its functions run; 1 function before the error is indexed without a behaviour, definitions from the error on are not read`,
    `${join(src, "none.py")}:1: not valid Python ("def broken(x:"), so it cannot be imported and none of its functions run; no function could be read`,
  ]);
  expect(s.problems.map((p) => [p.name, p.status])).toEqual([["a", "syntax_error"]]);
});
