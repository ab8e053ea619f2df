/**
 * What an index says of a function that never returned: raising is said of the drawn inputs, an
 * exception of the sandbox's own (a withheld builtin, a module it does not serve) is "not run",
 * an abstract method stays abstract when its class cannot be made, the exception type is read
 * without the tracer's suffixes; probing replaces the top signature only on evidence; and a call
 * that rewrites the drawn arguments is compared only with functions called the same way.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FunctionRow, type TraceRow } from "../data/index.js";
import { TracerPool, traceFunctions } from "../python/index.js";
import { callRewrite, drawnVerdict, inputsKeyOf, probeWins, WITHHELD_BUILTINS } from "./build.js";
import { IndexStore, indexPaths, searchIndex } from "./index.js";
import { reasonKey } from "./report.js";

const root = mkdtempSync(join(tmpdir(), "tracecode-drawn-"));
const pool = new TracerPool({ workers: 2 });
afterAll(async () => {
  await pool.close();
  rmSync(root, { recursive: true, force: true });
});

const raised = (error: string): TraceRow => ({
  id: "x",
  status: "always_raises",
  error,
  level: "io",
  traceClass: null,
  ioClass: null,
  runs: [],
});
const ran = (outputs: string[]): TraceRow => ({
  id: "x",
  status: "ok",
  level: "io",
  traceClass: "t",
  ioClass: "i",
  runs: outputs.map((output) => ({ input: [], blocks: [], values: [], output, truncated: false })),
});

describe("the always-raises verdict as the index stores it", () => {
  it("reads the exception type without what the tracer appended to it", () => {
    const one = drawnVerdict(raised("raises TypeError;self:<obj:object>{a=1} on every input"), 9);
    expect(one.error).toBe("raised TypeError on all 9 drawn inputs");
    // Calls counted apart only by what they left in self are one type.
    const split = drawnVerdict(
      raised(
        "raises on every input (TypeError;self:<obj:object>{a=1} ×3, TypeError;self:<obj:object>{a=2, b=3} ×2; the first: TypeError: bad)",
      ),
      5,
    );
    expect(split.error).toBe("raised TypeError on all 5 drawn inputs (bad)");
    expect(reasonKey("always_raises", split.error as string)).toBe("raises TypeError");
    const two = drawnVerdict(
      raised(
        "raises on every input (TypeError;stdout:'x' ×2, EOFError ×1; the first: TypeError: b)",
      ),
      3,
    );
    expect(two.error).toBe(
      "raised on all 3 drawn inputs (TypeError ×2, EOFError ×1; the first: TypeError: b)",
    );
  });

  it("counts an exception of the sandbox's own as not run, naming what it withheld", () => {
    const input = drawnVerdict(
      raised("raises NameError on every input (name 'input' is not defined)"),
      4,
    );
    expect(input).toMatchObject({
      status: "limit",
      error:
        "withheld: the sandbox withholds the builtin input() (NameError on all 4 drawn inputs)",
    });
    expect(reasonKey("limit", input.error as string)).toBe(
      "the sandbox withholds the builtin input()",
    );
    // The code's own undefined name is its own.
    expect(
      drawnVerdict(raised("raises NameError on every input (name 'helper' is not defined)"), 4),
    ).toMatchObject({ status: "always_raises" });
    const served = drawnVerdict(
      raised(
        "raises on every input (ImportError ×3, ValueError ×1; the first: ImportError: not available in the sandbox (line 21: ImportError: module '_string' is not available in the sandbox))",
      ),
      4,
    );
    expect(served.error).toBe(
      "withheld: the sandbox withholds module '_string' (ImportError on 3 of 4 drawn inputs; the others raised ValueError ×1)",
    );
    expect(
      drawnVerdict(
        raised(
          "raises AttributeError on every input ('__dict__' of a class or module is not available in the sandbox)",
        ),
        2,
      ).error,
    ).toBe(
      "withheld: the sandbox withholds '__dict__' of a class or module (AttributeError on all 2 drawn inputs)",
    );
  });
});

it("withholds exactly the builtins WITHHELD_BUILTINS names, of those Python has", async () => {
  // Every public builtin of this machine's Python, and the withheld ones, looked up in a
  // snippet: NameError exactly for the withheld (a name the tracer starts or stops offering
  // shows here).
  const native = execFileSync("python3", [
    "-c",
    "import builtins\nprint(' '.join(k for k in dir(builtins) if not k.startswith('_') and not (isinstance(getattr(builtins, k), type) and issubclass(getattr(builtins, k), BaseException))))",
  ])
    .toString()
    .trim()
    .split(" ");
  const names = [...new Set([...native, ...WITHHELD_BUILTINS])];
  const looked = await traceFunctions(
    names.map((name) =>
      FunctionRow.parse({ id: name, group: "g", code: `def f(x):\n    return ${name}\n` }),
    ),
    { pool, inputs: 1, level: "io" },
  );
  const missing = names.filter((_, i) =>
    /^raise(s)? ?:?NameError/.test(looked[i].runs[0]?.output ?? looked[i].error ?? ""),
  );
  expect(missing.sort()).toEqual([...WITHHELD_BUILTINS].sort());
});

describe("probing", () => {
  it("replaces the top signature only when a few inputs are evidence against its share", () => {
    const share = (k: number, n: number) =>
      ran([...Array(n)].map((_, i) => (i < k ? `${i}` : "raise:E")));
    // base64mime.decode: str returned 28 % of 200; 4 of 8 is no evidence of better.
    expect(probeWins(share(56, 200), share(4, 8))).toBe(false);
    // 8 of 8 against 9 %: it is.
    expect(probeWins(share(18, 200), share(8, 8))).toBe(true);
    // … and 8 of 8 against 96 % is luck, not evidence.
    expect(probeWins(share(192, 200), share(8, 8))).toBe(false);
    // A candidate whose calls all return one value does not replace one whose returns varied.
    expect(probeWins(share(110, 200), ran(Array(8).fill("1.0")))).toBe(false);
  });
});

describe("calls that rewrite the drawn arguments", () => {
  it("keys them apart from plain calls", () => {
    expect(callRewrite('urljoin("//" + a0, "//" + a1)')).toBe('F("//" + a0, "//" + a1)');
    expect(callRewrite("f(a0, a1)")).toBeUndefined();
    expect(callRewrite("Point(a0).dist(a1)")).toBeUndefined();
    expect(callRewrite("C().m(*a0)")).toBeUndefined();
    expect(callRewrite('f(a0, "euro")')).toBe('F(a0, "euro")');
    expect(callRewrite("f(a1, a0)")).toBe("F(a1, a0)");
    expect(inputsKeyOf(["str", "str"], undefined)).toBe('["str","str"]');
  });
});

it("indexes and searches real code as it ran", async () => {
  const src = join(root, "src");
  mkdirSync(src);
  writeFileSync(
    join(src, "mod.py"),
    `from abc import ABC, abstractmethod


def ask(n: int) -> str:
    return input(str(n))


def mine(n: int) -> int:
    return helper(n)


class Shape(ABC):
    @abstractmethod
    def area(self):
        raise NotImplementedError

    @abstractmethod
    def grow(self, k: int):
        raise NotImplementedError


def urljoin(base, url):
    if not url:
        return base
    if url[:2] != "//" or base[:2] != "//":
        raise ValueError("not a network path")
    return base + url[2:]


def concat(a: str, b: str) -> str:
    return a + b[2:]
`,
  );
  const dir = join(root, "idx");
  const s = await indexPaths([src], dir, { model: null, inputs: 6, pool });
  const reasons = Object.fromEntries(s.problems.map((p) => [p.name, `${p.status}: ${p.reason}`]));
  expect(reasons.ask).toBe(
    "limit: withheld: the sandbox withholds the builtin input() (NameError on all 6 drawn inputs)",
  );
  expect(reasons.mine).toBe(
    "always_raises: raised NameError on all 6 drawn inputs (name 'helper' is not defined)",
  );
  expect(s.report.functions.reasons.not_run).toEqual({
    "the sandbox withholds the builtin input()": 1,
  });
  expect(reasons["Shape.grow"]).toMatch(
    /^always_raises: abstract: raises NotImplementedError; not called: its class Shape is abstract \(TypeError on all 6 drawn inputs\)$/,
  );
  expect(s.report.methods.reasons.always_raises).toEqual({
    "abstract: raises NotImplementedError": 2,
  });

  const store = IndexStore.open(dir, { readonly: true });
  try {
    const joined = store
      .functions(store.allCode().map((c) => c.id))
      .find((f) => f.name === "urljoin");
    // urljoin runs on "//" + drawn text: its key says so.
    expect(JSON.parse(joined?.signature ?? "{}").call).toBe('urljoin("//" + a0, "//" + a1)');
    expect(JSON.parse(joined?.inputsKey ?? "{}")).toEqual({
      args: ["str", "str"],
      call: 'F("//" + a0, "//" + a1)',
    });
  } finally {
    store.close();
  }
  // A plain query is compared with concat, never with urljoin's outputs of rewritten inputs.
  const r = await searchIndex(dir, "def q(a: str, b: str) -> str:\n    return a + b[2:]\n", {
    pool,
    k: 10,
  });
  const by = Object.fromEntries(r.hits.map((h) => [h.name, h]));
  expect(by.concat).toMatchObject({ group: "same" });
  expect(by.urljoin.behaviour).toEqual({
    kind: "not-compared",
    reason: 'called with its arguments rewritten (urljoin("//" + a0, "//" + a1))',
  });
}, 120_000);
