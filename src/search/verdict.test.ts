import { afterAll, describe, expect, it } from "vitest";
import { FunctionRow } from "../data/index.js";
import { TracerPool, traceFunctions } from "../python/index.js";
import type { RawRun } from "../python/pool.js";
import { alwaysRaised, exceptionMessage } from "../python/trace.js";
import { reasonKey } from "./report.js";

const raising = (...names: string[]): RawRun[] => names.map((n) => [[], [], `raise:${n}`, false]);

describe("the always-raises verdict carries the first call's message", () => {
  it("names the exception and its message, and stays one reason in the summary", () => {
    const v = alwaysRaised(
      raising("AttributeError", "AttributeError"),
      "AttributeError: 'Foo' object has no attribute 'bar'",
    );
    expect(v).toBe("raises AttributeError on every input ('Foo' object has no attribute 'bar')");
    expect(reasonKey("always_raises", v as string)).toBe("raises AttributeError");
  });

  it("says the first call's type too when the calls raised several", () => {
    const v = alwaysRaised(raising("TypeError", "EOFError", "TypeError"), "TypeError: bad");
    expect(v).toBe("raises on every input (TypeError ×2, EOFError ×1; the first: TypeError: bad)");
    expect(reasonKey("always_raises", v as string)).toBe("raises several exception types");
  });

  it("has no message when the tracer sent none, and no verdict when a call returned", () => {
    expect(alwaysRaised(raising("ValueError"))).toBe("raises ValueError on every input");
    expect(alwaysRaised(raising("ValueError"), "ValueError")).toBe(
      "raises ValueError on every input",
    );
    expect(alwaysRaised([...raising("ValueError"), [[], [], "3", false]], "ValueError: x")).toBe(
      undefined,
    );
  });

  it("groups an abstract method's verdict under its own reason", () => {
    expect(
      reasonKey(
        "always_raises",
        "abstract: raises NotImplementedError on every input (subclasses)",
      ),
    ).toBe("abstract: raises NotImplementedError");
  });

  it("groups alike reasons with their quotes kept and the line dropped", () => {
    const key = (t: string) => reasonKey("syntax_error", t);
    expect(key("SyntaxError: '(' was never closed (line 2)")).toBe(
      "syntax_error: SyntaxError: '…' was never closed",
    );
    expect(key("SyntaxError: '[' was never closed (line 40)")).toBe(
      key("SyntaxError: '(' was never closed (line 2)"),
    );
  });

  it("treats the sandbox's text as untrusted: control characters and paths out, cut short", () => {
    expect(exceptionMessage("a\u0000b\u001b[31mc\u202ed\r\ne")).toBe("a b [31mc d e");
    expect(exceptionMessage("No such file: '/home/user/secret/data.txt'")).toBe(
      "No such file: '…/data.txt'",
    );
    // Only absolute paths: a relative one or a date stays.
    expect(exceptionMessage("bad value 1/2/3 in a/b/c")).toBe("bad value 1/2/3 in a/b/c");
    const long = exceptionMessage(`ValueError: ${"x".repeat(300)}`);
    expect(long).toHaveLength(120);
    expect(long.endsWith("…")).toBe(true);
  });
});

describe("the message as the sandbox sends it", () => {
  const pool = new TracerPool({ workers: 1 });
  afterAll(async () => {
    await pool.close();
  });

  it("is made of plain values only: an argument's own __repr__ never runs", async () => {
    const module = `class Key:
    def __repr__(self):
        while True:
            pass

def hostile(x):
    raise KeyError(Key())

def plain(x):
    raise KeyError("k" + str(x % 2))

def half(x):
    if x % 2:
        raise ValueError("odd")
    return x
`;
    const rows = ["hostile", "plain", "half"].map((entry) =>
      FunctionRow.parse({ id: entry, code: module, entry, args: ["int"], module }),
    );
    const [hostile, plain, half] = await traceFunctions(rows, {
      pool,
      inputs: 4,
      level: "io",
      range: { min: 0, max: 9 },
    });
    // A __repr__ that loops forever would have spent the budget: it was never called.
    expect(hostile).toMatchObject({
      status: "always_raises",
      error: "raises KeyError on every input",
    });
    expect(plain.error).toMatch(/^raises KeyError on every input \('k[01]'\)$/);
    // Some calls returned: a behaviour, and no message sent.
    expect(half.status).toBe("ok");
    expect(half.error).toBeUndefined();
  });
});
