import { describe, expect, it } from "vitest";
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

  it("treats the sandbox's text as untrusted: control characters and paths out, cut short", () => {
    expect(exceptionMessage("a\u0000b\u001b[31mc\u202ed\r\ne")).toBe("a b [31mc d e");
    expect(exceptionMessage("No such file: '/home/user/secret/data.txt'")).toBe(
      "No such file: '…/data.txt'",
    );
    const long = exceptionMessage(`ValueError: ${"x".repeat(300)}`);
    expect(long).toHaveLength(120);
    expect(long.endsWith("…")).toBe(true);
  });
});
